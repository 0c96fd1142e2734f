using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Functions.Platform;

/// <summary>
/// Creates the app's tables at startup when they are missing (Bicep creates them in Azure; Azurite starts
/// empty). A failure is logged, not fatal: requests then answer 503 until storage is reachable.
/// </summary>
public sealed partial class StorageInitializer(TableServiceClient tables, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in StorageTables.InUse)
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
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create table {Table}")]
    private partial void LogCreateFailed(Exception exception, string table);
}
