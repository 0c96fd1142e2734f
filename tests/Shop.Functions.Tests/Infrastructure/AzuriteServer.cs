using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Runs the Azurite storage emulator pinned in <c>tests/azurite</c> as a child process on free loopback ports,
/// installing it with npm first if needed.
/// </summary>
/// <remarks>
/// Started with <see cref="StartAsync"/>, data is kept in memory only: <see cref="StopAsync"/> and
/// <see cref="RestartAsync"/> lose every table, blob and queue, so a restart looks like storage that went down and came
/// back empty. Started with <see cref="StartOnDiskAsync"/>, Azurite keeps its data in files of its own temp folder and a
/// restart loads them again; <see cref="StopSavingAsync"/> and <see cref="AddTableRowCopiesAsync"/> let a test seed a
/// table far faster than Azurite's API can (see that method). The ports stay the same across restarts, so clients built
/// from <see cref="ConnectionString"/> keep working.
/// </remarks>
public sealed class AzuriteServer : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    // Azurite's well-known development account key, published in its documentation; it guards nothing.
    private const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const string Host = "127.0.0.1";

    private const string NodeRequired =
        "Node.js 20+ with npm is required: the integration tests start Azurite themselves from tests/azurite " +
        "(npm installs the pinned version on first use). Install Node.js from https://nodejs.org or your package " +
        "manager and make sure `node` and `npm` are on PATH.";

    // Loaded before Azurite: node exits when its stdin pipe closes, i.e. when the test host dies in a way that skips
    // ProcessExit. .NET raises ProcessExit on a normal exit only, not on SIGTERM or SIGKILL (a cancelled CI job, a
    // test host killed as hung), so this is what ends Azurite then.
    private const string ExitWithParent =
        "data:text/javascript,process.stdin.on('end',()=>process.exit(0)).on('error',()=>process.exit(0)).resume();";

    // Azurite's own name for its table database, a LokiJS file, in the --location folder (DEFAULT_TABLE_LOKI_DB_PATH).
    private const string TableDatabaseFileName = "__azurite_db_table__.json";

    // What Azurite prints once its table service has closed, and so has saved its database (azurite.js, shutdown).
    private const string TableClosedMessage = "Azurite Table service successfully closed";

    private const int StartAttempts = 3;
    // Generous: on a busy machine (2 cores, several builds) Node can take most of a minute to start Azurite.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    // Saving a table of 100,000 rows takes Azurite a few seconds; a loaded machine, several times that.
    private static readonly TimeSpan SaveTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CopyTimeout = TimeSpan.FromMinutes(5);

    private readonly string _node;
    private readonly string _azuriteDirectory;
    private readonly bool _onDisk;
    private readonly string _workDirectory;
    private readonly ChildProcess.OutputLog _log = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private volatile Process? _process;
    private volatile Process? _exitExpected;
    private volatile string? _unexpectedExit;
    private bool _disposed;

    private AzuriteServer(string node, string azuriteDirectory, bool onDisk, int blobPort, int queuePort, int tablePort)
    {
        _node = node;
        _azuriteDirectory = azuriteDirectory;
        _onDisk = onDisk;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        // In memory, Azurite refuses --location, so it runs in a temp working directory instead: anything it might
        // write lands there, never in the repo. On disk, that folder is its --location.
        _workDirectory = Directory.CreateTempSubdirectory("shop-azurite-").FullName;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>The node process's id while Azurite runs.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>
    /// Null unless Azurite exited without being stopped (a crash, or a kill from outside): then what it last printed.
    /// The same report goes to stderr and, when <c>SHOP_TEST_DIAGNOSTICS</c> names a folder, to a file there, which
    /// <c>.ci/run</c> prints: the tests that fail afterwards say only "connection refused".
    /// </summary>
    public string? UnexpectedExit => _unexpectedExit;

    /// <summary>
    /// Set by a test that kills Azurite from outside on purpose: the exit is still recorded in
    /// <see cref="UnexpectedExit"/>, but not reported on stderr or in the diagnostics folder, where it would read as a crash.
    /// </summary>
    public bool KilledOnPurpose { get; set; }

    public string ConnectionString => string.Create(
        CultureInfo.InvariantCulture,
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://{Host}:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://{Host}:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://{Host}:{TablePort}/{AccountName};");

    /// <summary>Installs Azurite into <paramref name="azuriteDirectory"/> if needed, then starts it, keeping data in memory.</summary>
    /// <exception cref="InvalidOperationException">Node.js or npm is missing, npm failed, or Azurite did not start.</exception>
    public static Task<AzuriteServer> StartAsync(string azuriteDirectory, CancellationToken ct = default) =>
        StartAsync(azuriteDirectory, onDisk: false, ct);

    /// <summary>
    /// As <see cref="StartAsync"/>, but Azurite keeps its data in files (in a temp folder of this server's own, deleted
    /// with it), so that <see cref="RestartAsync"/> keeps it and <see cref="AddTableRowCopiesAsync"/> can seed a table.
    /// </summary>
    public static Task<AzuriteServer> StartOnDiskAsync(string azuriteDirectory, CancellationToken ct = default) =>
        StartAsync(azuriteDirectory, onDisk: true, ct);

    private static async Task<AzuriteServer> StartAsync(string azuriteDirectory, bool onDisk, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(azuriteDirectory);
        // One spelling per folder, so every process computes the same install lock name.
        var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(azuriteDirectory));
        if (!File.Exists(Path.Combine(directory, "package.json")))
        {
            throw new InvalidOperationException($"No package.json in '{directory}': it should be the tests/azurite folder.");
        }

        var node = ChildProcess.FindOnPath("node") ?? throw new InvalidOperationException(NodeRequired + " `node` was not found.");
        var npm = ChildProcess.FindOnPath("npm") ?? throw new InvalidOperationException(NodeRequired + " `npm` was not found.");
        await EnsureNodeVersionAsync(node, ct);
        await NpmInstall.EnsureAsync(directory, npm, () => IsInstalled(directory), ct);

        for (var attempt = 1; ; attempt++)
        {
            var ports = PickFreePorts(3);
            var server = new AzuriteServer(node, directory, onDisk, ports[0], ports[1], ports[2]);
            try
            {
                await server.StartProcessAsync(ct);
                return server;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
                // Another process took one of the ports between picking and binding it (EADDRINUSE), or a machine
                // too busy kept node from listening in time: a failed start fails a whole collection, so try again.
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Stops Azurite; every stored entity, blob and message is gone. Connections are refused until a restart.</summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopProcessAsync();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops Azurite the way Ctrl+C does (SIGTERM), so that an on-disk Azurite first saves its data, and waits until it
    /// has exited. Connections are refused until <see cref="RestartAsync"/>, which loads what was saved.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server keeps data in memory, or Azurite did not exit in time.</exception>
    /// <exception cref="PlatformNotSupportedException">On Windows, which has no SIGTERM to send.</exception>
    public async Task StopSavingAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Stopping Azurite so that it saves needs SIGTERM, which Windows does not have.");
        }

        await _lifecycle.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_onDisk)
            {
                throw new InvalidOperationException("This Azurite keeps its data in memory: start it with StartOnDiskAsync to save it.");
            }

            var process = _process ?? throw new InvalidOperationException("Azurite is not running.");
            _exitExpected = process;
            var (exitCode, output) = await ChildProcess.RunAsync(
                "kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)], _workDirectory, StopTimeout, CancellationToken.None);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"`kill -TERM {process.Id}` failed (exit code {exitCode}): {output}");
            }

            // Azurite closes its services, saving its databases, and says so; node itself stays up, held by the stdin
            // watch loaded before Azurite (ExitWithParent), so it is killed once the table service has closed.
            using var timeout = new CancellationTokenSource(SaveTimeout);
            try
            {
                while (!_log.Contains(TableClosedMessage) && !process.HasExited)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
                }
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException(
                    $"Azurite (pid {process.Id}) did not close its table service within {SaveTimeout.TotalMinutes} min of SIGTERM. Its output:{Environment.NewLine}{_log}");
            }

            await StopProcessAsync();
            if (!File.Exists(TableDatabaseFile))
            {
                throw new InvalidOperationException($"Azurite exited without saving {TableDatabaseFile}. Its output:{Environment.NewLine}{_log}");
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Adds <paramref name="copies"/> copies of one stored entity to a table, in the database file of an Azurite that
    /// <see cref="StopSavingAsync"/> stopped, for <see cref="RestartAsync"/> to load. Copy i gets the PartitionKey
    /// <paramref name="partitionKeyPrefix"/> followed by i in 7 digits, and so does every string property that held the
    /// template's PartitionKey. Returns the table's row count in the file.
    /// </summary>
    /// <remarks>
    /// Why not Azurite's API: Azurite 3.37 looks an entity up before inserting it with a LokiJS query whose index is the
    /// RowKey, so an insert scans every row that shares its RowKey, and rows such as Shop's order rows (all RowKey
    /// <c>order</c>) take quadratic time to seed: 20,000 took 277 s here, 100,000 did not finish in 20 minutes. Written
    /// straight into the file with LokiJS (the library Azurite stores tables with, from its own install), 100,000 take
    /// seconds; the indices Azurite declares are rebuilt before the file is saved.
    /// </remarks>
    public async Task<int> AddTableRowCopiesAsync(string table, string templatePartitionKey, string partitionKeyPrefix, int copies)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(copies);
        await _lifecycle.WaitAsync();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_onDisk || _process is not null)
            {
                throw new InvalidOperationException("Rows can be copied only into the file of an on-disk Azurite stopped by StopSavingAsync.");
            }

            var script = Path.Combine(AppContext.BaseDirectory, "Infrastructure", "azurite-table-copies.mjs");
            var (exitCode, output) = await ChildProcess.RunAsync(
                _node,
                [script, _azuriteDirectory, TableDatabaseFile, $"{AccountName}${table}", templatePartitionKey, partitionKeyPrefix,
                    copies.ToString(CultureInfo.InvariantCulture)],
                _workDirectory,
                CopyTimeout,
                CancellationToken.None);
            var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.StartsWith("rows ", StringComparison.Ordinal) ? line["rows ".Length..] : null)
                .LastOrDefault(line => line is not null);
            if (exitCode != 0 || !int.TryParse(rows, CultureInfo.InvariantCulture, out var count))
            {
                throw new InvalidOperationException($"Copying rows into {TableDatabaseFile} failed (exit code {exitCode}):{Environment.NewLine}{output}");
            }

            return count;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private string TableDatabaseFile => Path.Combine(_workDirectory, TableDatabaseFileName);

    /// <summary>Stops Azurite if it runs and starts it again on the same ports: empty, or on disk with what it saved.</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await _lifecycle.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopProcessAsync();
            await StartProcessAsync(ct);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            await StopProcessAsync();
        }
        finally
        {
            TryDeleteWorkDirectory();
            _lifecycle.Release();
        }
    }

    private async Task StartProcessAsync(CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(_node)
        {
            WorkingDirectory = _workDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            "--import", ExitWithParent, ScriptPath(_azuriteDirectory),
            "--blobHost", Host, "--blobPort", Port(BlobPort),
            "--queueHost", Host, "--queuePort", Port(QueuePort),
            "--tableHost", Host, "--tablePort", Port(TablePort),
            "--disableTelemetry", "--skipApiVersionCheck", "--silent", "--loose",
        })
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (_onDisk)
        {
            startInfo.ArgumentList.Add("--location");
            startInfo.ArgumentList.Add(_workDirectory);
        }
        else
        {
            startInfo.ArgumentList.Add("--inMemoryPersistence");
        }

        // A developer's own account list would replace devstoreaccount1, which ConnectionString relies on.
        startInfo.Environment.Remove("AZURITE_ACCOUNTS");

        _log.Clear();
        var process = ChildProcess.StartCapturing(startInfo, _log);
        _process = process;
        process.EnableRaisingEvents = true;
        process.Exited += OnAzuriteExited;
        try
        {
            await WaitUntilListeningAsync(process, ct);
        }
        catch
        {
            await StopProcessAsync();
            throw;
        }
    }

    private async Task WaitUntilListeningAsync(Process process, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StartTimeout);
        try
        {
            foreach (var port in new[] { BlobPort, QueuePort, TablePort })
            {
                while (!await AcceptsConnectionAsync(port, timeout.Token))
                {
                    if (process.HasExited)
                    {
                        // Also waits for the last output lines to arrive.
                        await process.WaitForExitAsync(timeout.Token);
                        throw StartFailure($"Azurite exited with code {process.ExitCode} before listening on port {port}.");
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw StartFailure($"Azurite did not listen on ports {BlobPort}, {QueuePort} and {TablePort} within {StartTimeout.TotalSeconds} s.");
        }

        if (process.HasExited)
        {
            throw StartFailure($"Azurite exited with code {process.ExitCode} right after it started listening.");
        }
    }

    private InvalidOperationException StartFailure(string reason) =>
        new($"{reason} Azurite's output:{Environment.NewLine}{_log}");

    private async Task StopProcessAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        try
        {
            ChildProcess.KillTree(process);
            using var timeout = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"Azurite (pid {process.Id}) did not exit within {StopTimeout.TotalSeconds} s of being killed.");
        }
        finally
        {
            process.Dispose();
        }
    }

    private void OnAzuriteExited(object? sender, EventArgs e)
    {
        // StopProcessAsync forgets the process before it kills it, and StopSavingAsync expects its exit.
        if (sender is not Process process || !ReferenceEquals(process, _process) || ReferenceEquals(process, _exitExpected))
        {
            return;
        }

        try
        {
            process.WaitForExit(); // the last output lines, after the exit itself
            var report = string.Create(
                CultureInfo.InvariantCulture,
                $"{DateTimeOffset.UtcNow:O} Azurite (pid {process.Id}, table port {TablePort}) exited by itself with code {process.ExitCode}; " +
                $"every test using it fails from now on. Its last output:{Environment.NewLine}{_log}");
            _unexpectedExit = report;
            if (KilledOnPurpose)
            {
                return;
            }

            Console.Error.WriteLine(report);
            var folder = Environment.GetEnvironmentVariable("SHOP_TEST_DIAGNOSTICS");
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(Path.Combine(folder, $"azurite-{process.Id}-exit.log"), report);
            }
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Disposed meanwhile by a concurrent stop, or the folder cannot be written: nothing more to tell.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // The test host is exiting without having disposed this server (e.g. Environment.Exit): leave no orphan Azurite.
        var process = _process;
        _process = null;
        if (process is not null)
        {
            ChildProcess.KillTree(process);
        }

        TryDeleteWorkDirectory();
    }

    private void TryDeleteWorkDirectory()
    {
        try
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a temp folder; the OS cleans it up eventually.
        }
    }

    private static async Task EnsureNodeVersionAsync(string node, CancellationToken ct)
    {
        var (exitCode, output) = await ChildProcess.RunAsync(node, ["--version"], Environment.CurrentDirectory, TimeSpan.FromSeconds(30), ct);
        var version = output.Trim().TrimStart('v');
        var dot = version.IndexOf('.', StringComparison.Ordinal);
        if (exitCode != 0 || dot < 0 || !int.TryParse(version.AsSpan(0, dot), CultureInfo.InvariantCulture, out var major))
        {
            throw new InvalidOperationException($"{NodeRequired} `{node} --version` failed (exit code {exitCode}): {output}");
        }

        if (major < 20)
        {
            throw new InvalidOperationException($"{NodeRequired} Found Node.js {version} at {node}.");
        }
    }

    /// <summary>
    /// True when node_modules holds a complete install of the pinned version. npm writes
    /// node_modules/.package-lock.json last, so its absence means an interrupted install; a changed pin reinstalls.
    /// </summary>
    private static bool IsInstalled(string directory)
    {
        var modules = Path.Combine(directory, "node_modules");
        if (!File.Exists(ScriptPath(directory)) || !File.Exists(Path.Combine(modules, ".package-lock.json")))
        {
            return false;
        }

        var pinned = ReadString(Path.Combine(directory, "package.json"), "dependencies", "azurite");
        var installed = ReadString(Path.Combine(modules, "azurite", "package.json"), "version");
        var isExactPin = pinned is { Length: > 0 } && char.IsAsciiDigit(pinned[0]);
        return !isExactPin || pinned == installed;
    }

    private static string? ReadString(string jsonFile, params string[] path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(jsonFile));
        var element = document.RootElement;
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static string ScriptPath(string directory) =>
        Path.Combine(directory, "node_modules", "azurite", "dist", "src", "azurite.js");

    /// <summary>Binds every port at once so they differ, then frees them for Azurite.</summary>
    private static int[] PickFreePorts(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static async Task<bool> AcceptsConnectionAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);
}
