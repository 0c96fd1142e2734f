using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Azure.Data.Tables;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// One Azurite for every test class in one storage collection (<see cref="AzuriteCollection"/> and the others below).
/// Tests in a collection share it and run one at a time; collections run in parallel, each on its own Azurite, because
/// the harnesses use the app's own table names and read whole tables (the conservation check). Tests of their own
/// tables keep their data apart with <see cref="UniqueTableName"/>.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    /// <summary>The tests/azurite folder, from the [AssemblyMetadata("AzuriteDirectory")] the test project emits.</summary>
    public string AzuriteDirectory { get; } = FindAzuriteDirectory();

    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not been started yet.");

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(AzuriteDirectory);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>
    /// The same account with its table endpoint on a port nobody listens on: storage that is down. Calls fail fast
    /// with "connection refused", as they would against an unreachable account.
    /// </summary>
    public string UnreachableConnectionString()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        return ConnectionString.Replace($":{Server.TablePort}/", $":{closedPort}/", StringComparison.Ordinal);
    }

    public TableServiceClient CreateTableServiceClient(TableClientOptions? options = null) =>
        new(ConnectionString, options ?? new TableClientOptions());

    /// <summary>
    /// A table name no other test uses: <paramref name="prefix"/> (letters and digits, starting with a letter, at most
    /// 31 characters) followed by 32 hex digits, which keeps it within Azure's 3-63 alphanumeric characters.
    /// </summary>
    public string UniqueTableName(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (prefix.Length > 31 || !char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException(
                "A table name prefix has 1-31 ASCII letters and digits and starts with a letter.", nameof(prefix));
        }

        return prefix + Guid.NewGuid().ToString("N");
    }

    private static string FindAzuriteDirectory()
    {
        var value = typeof(AzuriteFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "AzuriteDirectory")?.Value;
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException(
                "The test assembly has no [AssemblyMetadata(\"AzuriteDirectory\", ...)]; the test project should emit it.");
        }

        // The csproj writes the path with Windows separators; make it usable everywhere.
        return Path.GetFullPath(value.Replace('\\', Path.DirectorySeparatorChar));
    }
}

/// <summary>Orders, the saga, shipping, webhooks, messaging and the end-to-end pipelines.</summary>
[CollectionDefinition(Name)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>Catalog, inventory, payments, notifications, platform, security and the test infrastructure itself.</summary>
[CollectionDefinition(Name)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class CatalogAndPaymentsStorage : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite: catalog, inventory, payments, notifications, platform";
}

/// <summary>The cancel matrix (Category=Slow): the longest single class, beside the others.</summary>
[CollectionDefinition(Name)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class CancelMatrixStorage : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite: cancel matrix";
}

/// <summary>The fault, restart, sustained, contention and hostile-message runs (Category=Slow), one at a time.</summary>
[CollectionDefinition(Name)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class FaultRunStorage : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite: fault runs";
}
