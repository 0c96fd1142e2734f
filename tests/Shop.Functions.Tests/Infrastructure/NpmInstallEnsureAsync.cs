using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The install behind every Azurite and reference-tool test, with a stand-in <c>npm</c> (a shell script) whose answers
/// the test chooses: a real npm against a registry that fails on cue cannot be had here.
/// </summary>
public sealed class NpmInstallEnsureAsync : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("shop-npm-install-");

    private string Installed => Path.Combine(_folder.FullName, "installed");

    private string Calls => Path.Combine(_folder.FullName, "calls");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task InstallsOnTheNextAttemptGivenAFailedOne()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the stand-in npm is a shell script; CI runs on Linux
        }

        // Fails the first call, as a reset connection to the registry would, then installs.
        var npm = StandInNpm("""
            echo call >> calls
            if [ "$(wc -l < calls)" -eq 1 ]; then echo "npm error network ECONNRESET" >&2; exit 1; fi
            echo "$@" > installed
            """);

        await NpmInstall.EnsureAsync(_folder.FullName, npm, () => File.Exists(Installed));

        Assert.Equal(2, File.ReadAllLines(Calls).Length);
        Assert.Equal("install --no-audit --no-fund", File.ReadAllText(Installed).Trim()); // no package-lock.json here
    }

    [Fact]
    public async Task GivesUpAfterEveryAttemptFailsNamingWhatNpmSaidEachTime()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the stand-in npm is a shell script; CI runs on Linux
        }

        File.WriteAllText(Path.Combine(_folder.FullName, "package-lock.json"), "{}");
        var npm = StandInNpm("""
            echo call >> calls
            echo "npm error attempt $(wc -l < calls) refused" >&2
            exit 1
            """);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => NpmInstall.EnsureAsync(_folder.FullName, npm, () => File.Exists(Installed)));

        Assert.Equal(NpmInstall.Attempts, File.ReadAllLines(Calls).Length);
        Assert.Contains("`npm ci --no-audit --no-fund`", error.Message, StringComparison.Ordinal);
        for (var attempt = 1; attempt <= NpmInstall.Attempts; attempt++)
        {
            Assert.Contains($"npm error attempt {attempt} refused", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunsNothingGivenAnInstalledFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the stand-in npm is a shell script; CI runs on Linux
        }

        var npm = StandInNpm("echo call >> calls");
        File.WriteAllText(Installed, "before");

        await NpmInstall.EnsureAsync(_folder.FullName, npm, () => File.Exists(Installed));

        Assert.False(File.Exists(Calls));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string StandInNpm(string body)
    {
        var path = Path.Combine(_folder.FullName, "npm");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
