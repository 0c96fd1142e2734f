using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>
/// <c>scripts/run-local.sh</c> needs only .NET, Node.js and Docker: where no <c>func</c> 4.x is installed it runs the
/// pinned Azure Functions Core Tools through npx, says so, and docs/development.md names the same version. The script
/// runs in a copy of the repository's layout with a PATH of fakes (dotnet, node, npx, docker, curl, and func where a
/// test wants one) that record their command lines; the ports of Azurite and MailDev are held open by the test, so the
/// script takes them for running servers and starts neither. Core Tools itself cannot run on the build machines.
/// </summary>
public sealed class RunLocalScript
{
    private static readonly int[] ServerPorts = [10000, 10001, 10002, 1025, 1080];

    private static string PinnedCoreToolsVersion()
    {
        var script = File.ReadAllText(TestPaths.InRepository("scripts", "run-local.sh"));
        var match = Regex.Match(script, "^CORE_TOOLS_VERSION=\"(?<version>[^\"]+)\"", RegexOptions.Multiline);
        Assert.True(match.Success, "run-local.sh pins no CORE_TOOLS_VERSION");
        return match.Groups["version"].Value;
    }

    [Fact]
    public void PinsCoreTools4AndTheDevelopmentDocsNameTheSameVersion()
    {
        var version = PinnedCoreToolsVersion();

        Assert.Matches(@"^4\.\d+\.\d+$", version);
        Assert.Contains($"azure-functions-core-tools@{version}", File.ReadAllText(TestPaths.InRepository("docs", "development.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsThePinnedCoreToolsThroughNpxInFunctionsWhereFuncIsMissing()
    {
        using var sandbox = new Sandbox(func: null);

        var (exitCode, stdout, stderr) = await sandbox.RunAsync();

        Assert.True(exitCode == 0, $"run-local.sh exited {exitCode}:{Environment.NewLine}{stdout}{stderr}");
        Assert.Contains($"{sandbox.Functions}|npx --yes --package=azure-functions-core-tools@{PinnedCoreToolsVersion()} -- func start", sandbox.Calls());
        Assert.Contains($"func is not installed; running Azure Functions Core Tools {PinnedCoreToolsVersion()} through npx", stdout, StringComparison.Ordinal);
        Assert.Contains($"{sandbox.Repository}|docker compose -f infra/local/docker-compose.yml up -d", sandbox.Calls());
    }

    [Fact]
    public async Task RunsTheInstalledFuncWhereItIsVersion4()
    {
        using var sandbox = new Sandbox(func: "4.0.7030");

        var (exitCode, stdout, stderr) = await sandbox.RunAsync();

        Assert.True(exitCode == 0, $"run-local.sh exited {exitCode}:{Environment.NewLine}{stdout}{stderr}");
        Assert.Contains($"{sandbox.Functions}|func start", sandbox.Calls());
        Assert.DoesNotContain(sandbox.Calls(), call => call.Contains("azure-functions-core-tools", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunsThePinnedCoreToolsWhereTheInstalledFuncIsNotVersion4()
    {
        using var sandbox = new Sandbox(func: "3.0.3904");

        var (exitCode, stdout, stderr) = await sandbox.RunAsync();

        Assert.True(exitCode == 0, $"run-local.sh exited {exitCode}:{Environment.NewLine}{stdout}{stderr}");
        Assert.Contains($"{sandbox.Functions}|npx --yes --package=azure-functions-core-tools@{PinnedCoreToolsVersion()} -- func start", sandbox.Calls());
        Assert.DoesNotContain($"{sandbox.Functions}|func start", sandbox.Calls());
        Assert.Contains("the installed func is not version 4.x", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesMissingNodeAndDockerButNotFuncAndStartsNothing()
    {
        using var sandbox = new Sandbox(func: null, without: ["node", "npx", "docker"]);

        var (exitCode, stdout, stderr) = await sandbox.RunAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("  - node: install Node.js 20 or later", stderr, StringComparison.Ordinal);
        Assert.Contains("  - docker: install Docker", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("func", stderr, StringComparison.Ordinal);
        Assert.Empty(sandbox.Calls());
        Assert.Empty(stdout);
    }

    /// <summary>A copy of the script in the repository's layout, a PATH of fakes and the servers' ports held open.</summary>
    private sealed class Sandbox : IDisposable
    {
        private static readonly string[] Utilities = ["bash", "dirname", "mkdir", "seq", "sleep", "cp", "cat"];
        private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("shop-run-local-");
        private readonly List<TcpListener> listeners = [];
        private readonly string bin;
        private readonly string log;
        private readonly string bash = FindOnPath("bash");

        public Sandbox(string? func, string[]? without = null)
        {
            Repository = Path.Combine(root.FullName, "repo");
            Functions = Path.Combine(Repository, "functions");
            bin = Path.Combine(root.FullName, "bin");
            log = Path.Combine(root.FullName, "calls.log");
            Directory.CreateDirectory(Path.Combine(Repository, "scripts"));
            Directory.CreateDirectory(Functions);
            File.Copy(TestPaths.InRepository("scripts", "run-local.sh"), Path.Combine(Repository, "scripts", "run-local.sh"));
            File.Copy(TestPaths.InRepository("local.settings.sample.json"), Path.Combine(Repository, "local.settings.sample.json"));
            File.WriteAllText(log, string.Empty);

            Directory.CreateDirectory(bin);
            foreach (var utility in Utilities)
            {
                File.CreateSymbolicLink(Path.Combine(bin, utility), FindOnPath(utility));
            }

            var fakes = new Dictionary<string, string>
            {
                ["dotnet"] = string.Empty,
                ["node"] = "echo 20",
                ["npx"] = Record("npx"),
                ["docker"] = Record("docker"),
                ["curl"] = string.Empty,
            };
            if (func is not null)
            {
                fakes["func"] = $"if [ \"$1\" = --version ]; then echo {func}; exit 0; fi\n{Record("func")}";
            }

            foreach (var (name, body) in fakes.Where(f => without?.Contains(f.Key) != true))
            {
                var path = Path.Combine(bin, name);
                File.WriteAllText(path, $"#!{bash}\n{body}\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            foreach (var port in ServerPorts)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    // Something listens there already, which is all the script asks.
                }
            }
        }

        public string Repository { get; }

        public string Functions { get; }

        public string[] Calls() => File.ReadAllLines(log);

        public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync()
        {
            var start = new ProcessStartInfo(bash) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(Repository, "scripts", "run-local.sh"));
            start.Environment["PATH"] = bin;
            start.Environment["HOME"] = root.FullName;
            start.Environment["ACCEPT_EULA"] = "Y";

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout, await stderr);
        }

        public void Dispose()
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }

            root.Delete(recursive: true);
        }

        /// <summary>A fake's body: one line per call, the working folder and the command line.</summary>
        private string Record(string name) => $"printf '%s|{name} %s\\n' \"$PWD\" \"$*\" >> '{log}'";

        private static string FindOnPath(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(folder => Path.Combine(folder, name))
                .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{name} is not on PATH");
    }
}
