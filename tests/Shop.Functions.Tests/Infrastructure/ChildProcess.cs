using System.Diagnostics;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>Running the child processes the tests need (Node.js, npm, kill): output captured, time bounded.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Runs a program to its end and returns its exit code and its last lines of output. Past
    /// <paramref name="timeLimit"/> it is killed with its children and the exit code is -1.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeLimit, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var log = new OutputLog();
        using var process = StartCapturing(startInfo, log);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(timeLimit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            KillTree(process);
            if (ct.IsCancellationRequested)
            {
                throw;
            }

            return (-1, $"Timed out after {timeLimit.TotalSeconds} s.{Environment.NewLine}{log}");
        }

        return (process.ExitCode, log.ToString());
    }

    /// <summary>Starts a program whose stdout and stderr lines go to <paramref name="log"/>.</summary>
    public static Process StartCapturing(ProcessStartInfo startInfo, OutputLog log)
    {
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => log.Add(e.Data);
        process.ErrorDataReceived += (_, e) => log.Add(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>The full path of an executable <paramref name="command"/> on PATH, or null.</summary>
    public static string? FindOnPath(string command)
    {
        string[] extensions = OperatingSystem.IsWindows()
            ? (Environment.GetEnvironmentVariable("PATHEXT") ?? ".EXE;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [string.Empty];
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var directory in directories)
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(directory, command + extension);
                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || IsExecutable(candidate)))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>Kills a process and its children, if it still runs.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already exited, or was disposed by a concurrent stop.
        }
    }

    /// <summary>The last lines a child process wrote to stdout and stderr, for error messages.</summary>
    public sealed class OutputLog
    {
        private const int MaxLines = 200;
        private readonly Queue<string> _lines = new();
        private readonly Lock _gate = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_gate)
            {
                _lines.Enqueue(line);
                if (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _lines.Clear();
            }
        }

        public bool Contains(string text)
        {
            lock (_gate)
            {
                return _lines.Any(line => line.Contains(text, StringComparison.Ordinal));
            }
        }

        public override string ToString()
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }
}
