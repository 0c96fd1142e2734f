using Azure.Data.Tables;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog;

/// <summary>
/// Reads the whole catalog from the Catalog table: the items partition (one query) and each item's sales counter (point
/// reads, <see cref="CatalogSales"/>). What <see cref="CatalogCache"/> calls when its snapshot is too old.
/// </summary>
public sealed class CatalogStorage(TableServiceClient tables, CatalogSales sales, TimeProvider time)
{
    private readonly TableClient _table = tables.GetTableClient(StorageTables.Catalog);

    public async Task<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = new List<CatalogItemRow>();
        await foreach (var row in _table.QueryAsync<CatalogItemRow>(e => e.PartitionKey == CatalogKeys.ItemsPartition, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        var unitsSold = rows.Count == 0
            ? new Dictionary<string, long>()
            : (await sales.GetTopSellersAsync(rows.Select(r => r.RowKey), rows.Count, cancellationToken))
                .ToDictionary(s => s.Sku, s => s.UnitsSold, StringComparer.Ordinal);
        var items = rows.Select(r => new CatalogItem(r.Sku, r.Name, r.Description, r.PriceValue, r.Currency, unitsSold.GetValueOrDefault(r.RowKey)));
        return new CatalogSnapshot(items, time.GetUtcNow());
    }
}
