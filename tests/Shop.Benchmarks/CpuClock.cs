using System.Diagnostics;
using System.Globalization;

namespace Shop.Benchmarks;

/// <summary>CPU time of this process and, on Linux, of the Azurite (node) child process it started.</summary>
public sealed class CpuClock : IDisposable
{
    private readonly Process _self = Process.GetCurrentProcess();
    private readonly Process? _azurite = FindChildNode();

    public bool SeesAzurite => _azurite is not null;

    public (TimeSpan Self, TimeSpan Azurite) Read()
    {
        _self.Refresh();
        var azurite = TimeSpan.Zero;
        if (_azurite is not null)
        {
            _azurite.Refresh();
            azurite = _azurite.TotalProcessorTime;
        }

        return (_self.TotalProcessorTime, azurite);
    }

    public void Dispose()
    {
        _self.Dispose();
        _azurite?.Dispose();
    }

    /// <summary>AzuriteServer starts node directly, so Azurite is the node process whose parent is this one.</summary>
    private static Process? FindChildNode()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Process? found = null;
        foreach (var process in Process.GetProcessesByName("node"))
        {
            if (found is null && ParentId(process.Id) == Environment.ProcessId)
            {
                found = process;
                continue;
            }

            process.Dispose();
        }

        return found;
    }

    private static int? ParentId(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so parse after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
