using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The npm packages pinned in <c>tests/node-tools</c> (the <c>cloudevents</c> and <c>standardwebhooks</c> reference
/// libraries, <c>@redocly/cli</c>, <c>smtp-server</c>), installed on first use by <see cref="NpmInstall"/>, as Azurite is; and a way to run a script or tool there with Node.js.
/// </summary>
public static class NodeTools
{
    public static string Directory => Path.TrimEndingDirectorySeparator(TestPaths.NodeToolsDirectory);

    /// <summary>Runs <c>node {arguments}</c> in <see cref="Directory"/>, feeding <paramref name="stdin"/>; installs the packages first if needed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> arguments, string stdin = "", TimeSpan? timeLimit = null)
    {
        await EnsureInstalledAsync();
        return await RunProcessAsync(Find("node"), arguments, stdin, timeLimit ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>The <c>node</c> on PATH.</summary>
    public static string Node => Find("node");

    /// <summary>Installs the pinned packages with <c>npm ci</c> unless they are installed (servers started from <see cref="Directory"/> need them).</summary>
    public static Task EnsureInstalledAsync() => NpmInstall.EnsureAsync(Directory, Find("npm"), IsInstalled);

    /// <summary>npm writes node_modules/.package-lock.json last; every pinned dependency must be there at its pinned version.</summary>
    private static bool IsInstalled()
    {
        if (!File.Exists(Path.Combine(Directory, "node_modules", ".package-lock.json")))
        {
            return false;
        }

        using var package = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "package.json")));
        foreach (var dependency in package.RootElement.GetProperty("dependencies").EnumerateObject())
        {
            var installed = Path.Combine([Directory, "node_modules", .. dependency.Name.Split('/'), "package.json"]);
            if (!File.Exists(installed))
            {
                return false;
            }

            using var manifest = JsonDocument.Parse(File.ReadAllBytes(installed));
            if (manifest.RootElement.GetProperty("version").GetString() != dependency.Value.GetString())
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, string stdin, TimeSpan timeLimit)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(timeLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeLimit.TotalSeconds} s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, command))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"Node.js 20+ with npm is required for the reference-tool tests: `{command}` is not on PATH.");
}
