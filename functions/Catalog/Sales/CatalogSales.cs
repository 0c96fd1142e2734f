using System.Collections.Concurrent;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog.Sales;

/// <summary>Units sold of a SKU, and in how many completed orders.</summary>
public sealed record SkuSales(string Sku, long UnitsSold, long Orders);

/// <summary>
/// Reads the sales that <see cref="SalesRecorder"/> counts, for the "popular items" query. Only point reads of counter
/// rows: the cost grows with the SKUs asked about, never with the number of orders (a scan for the counter rows would
/// also read every order's sale row).
/// </summary>
public sealed class CatalogSales(TableServiceClient tables)
{
    private const int ReadParallelism = 16;

    private static readonly string[] CounterColumns = [nameof(SalesCounterRow.UnitsSold), nameof(SalesCounterRow.Orders)];

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.Catalog);

    /// <summary>Units of the SKU sold in completed orders; 0 when none were (or it is not a SKU the shop accepts).</summary>
    public async Task<long> GetUnitsSoldAsync(string sku, CancellationToken cancellationToken) =>
        CatalogKeys.PartitionFor(sku) is { } partition
            ? (await FindAsync(partition, cancellationToken)).UnitsSold
            : 0;

    /// <summary>
    /// The <paramref name="top"/> best sellers among <paramref name="skus"/> (the catalog's items): most units first, then
    /// by SKU. SKUs never sold count 0 and come last; SKUs the shop does not accept are left out.
    /// </summary>
    public async Task<IReadOnlyList<SkuSales>> GetTopSellersAsync(IEnumerable<string> skus, int top, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skus);
        ArgumentOutOfRangeException.ThrowIfLessThan(top, 1);
        var partitions = skus.Select(CatalogKeys.PartitionFor).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

        var found = new ConcurrentBag<SkuSales>();
        var options = new ParallelOptions { MaxDegreeOfParallelism = ReadParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(partitions, options, async (partition, ct) => found.Add(await FindAsync(partition, ct)));
        return [.. found.OrderByDescending(sales => sales.UnitsSold).ThenBy(sales => sales.Sku, StringComparer.Ordinal).Take(top)];
    }

    private async Task<SkuSales> FindAsync(string partition, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<SalesCounterRow>(partition, CatalogKeys.SalesRowKey, CounterColumns, cancellationToken);
        return response.HasValue
            ? new SkuSales(partition, response.Value!.UnitsSold, response.Value.Orders)
            : new SkuSales(partition, 0, 0);
    }
}
