using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Installs a folder's pinned npm packages (<c>tests/azurite</c>, <c>tests/node-tools</c>) once for every test process:
/// under an exclusive lock on a file in the temp folder (the tests and the benchmarks may start at once, and npm ci
/// empties node_modules first), with <c>npm ci</c> when the folder has a lock file.
/// </summary>
/// <remarks>
/// On a clean machine with a cold npm cache and a slow registry, one <c>npm ci</c> can outlast its time limit or fail
/// half way (a reset connection). Each of those is tried again, a few times, before the install counts as failed:
/// a failed install fails every test that needs the folder, so it must be a registry that is really unreachable, not
/// one slow answer. The error then carries what npm printed on each attempt.
/// </remarks>
public static class NpmInstall
{
    public const int Attempts = 3;

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(6);

    // Long enough for another process to make every attempt.
    private static readonly TimeSpan LockTimeout = (AttemptTimeout * Attempts) + TimeSpan.FromMinutes(1);

    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <summary>Installs <paramref name="directory"/>'s packages with <paramref name="npm"/> unless <paramref name="isInstalled"/> says they are.</summary>
    /// <exception cref="InvalidOperationException">Every attempt failed, or another process held the lock too long.</exception>
    public static async Task EnsureAsync(string directory, string npm, Func<bool> isInstalled, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(isInstalled);
        if (isInstalled())
        {
            return;
        }

        await InProcess.WaitAsync(ct);
        try
        {
            await using var fileLock = await AcquireLockAsync(directory, ct);
            if (isInstalled())
            {
                return; // another test process installed it while this one waited
            }

            string[] arguments = File.Exists(Path.Combine(directory, "package-lock.json"))
                ? ["ci", "--no-audit", "--no-fund"]
                : ["install", "--no-audit", "--no-fund"];
            var command = $"npm {string.Join(' ', arguments)}";
            var failures = new StringBuilder();
            for (var attempt = 1; attempt <= Attempts; attempt++)
            {
                var (exitCode, output) = await ChildProcess.RunAsync(npm, arguments, directory, AttemptTimeout, ct);
                if (exitCode == 0 && isInstalled())
                {
                    return;
                }

                failures.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}--- attempt {attempt} (exit code {exitCode}):{Environment.NewLine}{Tail(output)}");
                if (attempt < Attempts)
                {
                    await Task.Delay(TimeSpan.FromSeconds(5 * attempt), ct);
                }
            }

            throw new InvalidOperationException(
                $"`{command}` in '{directory}' failed {Attempts} times, so the tests that need it cannot run. " +
                $"Check that the npm registry is reachable, or run it there by hand. npm's output:{failures}");
        }
        finally
        {
            InProcess.Release();
        }
    }

    private static string Tail(string output)
    {
        var lines = output.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 40)));
    }

    private static async Task<FileStream> AcquireLockAsync(string directory, CancellationToken ct)
    {
        // One spelling per folder, so every process computes the same lock name.
        var fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fullPath)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"shop-npm-install-{key}.lock");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(LockTimeout);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process holds it while it installs.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"Waited {LockTimeout.TotalMinutes} min for another process to finish installing the npm packages in '{fullPath}' (lock file {path}).");
            }
        }
    }
}
