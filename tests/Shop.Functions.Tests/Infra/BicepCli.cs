using System.Diagnostics;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (restored by NuGet; works offline).</summary>
public static class BicepCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>Every diagnostic line (errors and warnings), from either stream.</summary>
        public IReadOnlyList<string> Diagnostics =>
            (StandardError + "\n" + StandardOutput).Split('\n')
                .Where(line => line.Contains(" : Error ", StringComparison.Ordinal) || line.Contains(" : Warning ", StringComparison.Ordinal))
                .Select(line => line.Trim())
                .ToArray();
    }

    public static Result Run(string workingDirectory, params string[] arguments)
    {
        var path = Path.Combine(TestPaths.BicepCliDirectory, "bicep");
        Assert.True(File.Exists(path), $"No Bicep CLI at {path}: restore tests/Shop.Functions.Tests (package Azure.Bicep.CommandLine.linux-x64).");
        EnsureExecutable(path);

        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry, no update checks: the build machines reach package registries only.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"bicep {string.Join(' ', arguments)} did not finish in 3 minutes.");
        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>NuGet may extract the binary without its execute bit.</summary>
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
