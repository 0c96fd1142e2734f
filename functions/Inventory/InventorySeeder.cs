using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Catalog;
using Shop.Functions.Platform;

namespace Shop.Functions.Inventory;

/// <summary>
/// At startup, creates the Inventory table if it is missing and inserts the stock rows of the catalog seed that are
/// missing (<see cref="InventoryStore.SeedAsync"/>). A storage failure is logged, not fatal, like <see cref="StorageInitializer"/>.
/// </summary>
public sealed partial class InventorySeeder(
    TableServiceClient tables,
    InventoryStore store,
    IOptions<InventoryOptions> options,
    ILogger<InventorySeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedOnStartup)
        {
            return;
        }

        // Outside the try: invalid seed data is a defect of the build, not an outage.
        var items = CatalogSeed.Items;
        try
        {
            await tables.CreateTableIfNotExistsAsync(StorageTables.Inventory, cancellationToken);
            // Success is silent, as in StorageInitializer: startup writes no log lines outside a failure.
            await store.SeedAsync(items, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is InvalidOperationException)
        {
            LogSeedFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not seed the inventory; stock rows of the catalog may be missing until the next start")]
    private partial void LogSeedFailed(Exception exception);
}
