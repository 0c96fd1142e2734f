using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Functions.Platform;

/// <summary>
/// Creates the app's tables at startup when they are missing (Bicep creates them in Azure; Azurite starts
/// empty). A failure is logged, not fatal: requests then answer 503 until storage is reachable. The tables are
/// created at once, not one after another, so that startup takes one round trip (and, with storage down, one
/// table's retries rather than every table's in turn).
/// </summary>
public sealed partial class StorageInitializer(TableServiceClient tables, ILogger<StorageInitializer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(StorageTables.InUse.Select(table => CreateAsync(table, cancellationToken)));

    private async Task CreateAsync(string table, CancellationToken cancellationToken)
    {
        try
        {
            await tables.CreateTableIfNotExistsAsync(table, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is InvalidOperationException)
        {
            LogCreateFailed(ex, table);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create table {Table}")]
    private partial void LogCreateFailed(Exception exception, string table);
}
