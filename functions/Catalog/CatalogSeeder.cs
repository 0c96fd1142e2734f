using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog;

/// <summary>
/// At startup, makes the Catalog table's items say what the seed that ships with the app says: items that are missing
/// or differ are written (one transaction per 100 items, all in one partition); items that already match are left
/// alone, so a restart writes nothing. Items that are no longer in the seed are not deleted. A storage failure is
/// logged, not fatal, like <see cref="StorageInitializer"/>: reads then serve what the table holds.
/// </summary>
public sealed partial class CatalogSeeder(
    TableServiceClient tables,
    IOptions<CatalogOptions> options,
    ILogger<CatalogSeeder> logger) : IHostedService
{
    private const int MaxTransactionActions = 100;

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
            await tables.CreateTableIfNotExistsAsync(StorageTables.Catalog, cancellationToken);
            // Success is silent, as in StorageInitializer: startup writes no log lines outside a failure.
            await SeedAsync(tables.GetTableClient(StorageTables.Catalog), items, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure() || ex is InvalidOperationException)
        {
            LogSeedFailed(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Writes the items that are missing or differ; returns how many were written.</summary>
    internal static async Task<int> SeedAsync(TableClient table, IEnumerable<CatalogSeedItem> items, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, CatalogItemRow>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<CatalogItemRow>(e => e.PartitionKey == CatalogKeys.ItemsPartition, cancellationToken: cancellationToken))
        {
            stored[row.RowKey] = row;
        }

        var changed = items
            .Select(CatalogItemRow.From)
            .Where(item => !stored.TryGetValue(item.RowKey, out var existing) || !existing.SameContent(item))
            .ToList();
        foreach (var chunk in changed.Chunk(MaxTransactionActions))
        {
            await table.SubmitTransactionAsync(
                chunk.Select(item => new TableTransactionAction(TableTransactionActionType.UpsertReplace, item)),
                cancellationToken);
        }

        return changed.Count;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not seed the catalog; items may be missing or out of date until the next start")]
    private partial void LogSeedFailed(Exception exception);
}
