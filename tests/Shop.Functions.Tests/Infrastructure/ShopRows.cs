using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>Rows tests set up and read back directly: stock levels, and what the sandbox payment gateway recorded.</summary>
public static class ShopRows
{
    /// <summary>Puts a SKU's stock at a known level (tests share one Azurite, so each sets what it relies on).</summary>
    public static async Task SetStockAsync(this TableServiceClient tables, string sku, int available) =>
        await tables.GetTableClient(StorageTables.Inventory)
            .UpsertEntityAsync(new TableEntity(sku, "stock") { ["Available"] = available }, TableUpdateMode.Merge);

    /// <summary>Sets a SKU's reorder point (0: never reordered), keeping the rest of its stock row.</summary>
    public static async Task SetReorderPointAsync(this TableServiceClient tables, string sku, int reorderPoint) =>
        await tables.GetTableClient(StorageTables.Inventory)
            .UpsertEntityAsync(new TableEntity(sku, "stock") { ["ReorderPoint"] = reorderPoint }, TableUpdateMode.Merge);

    public static async Task<int> StockAsync(this TableServiceClient tables, string sku) =>
        (await tables.GetTableClient(StorageTables.Inventory).GetEntityAsync<TableEntity>(sku, "stock")).Value.GetInt32("Available")!.Value;

    /// <summary>
    /// Per order, the sandbox payment gateway's rows: its one charge row ("charge:Captured" or "charge:Declined") and
    /// its refund row ("refund"), in key order. One row per kind is the gateway's own idempotency. All orders, or one.
    /// </summary>
    public static async Task<Dictionary<string, List<string>>> PaymentKindsAsync(this TableServiceClient tables, string? orderId = null)
    {
        var table = tables.GetTableClient(StorageTables.PaymentsSandbox);
        var rows = orderId is null
            ? await table.QueryAsync<TableEntity>().ToListAsync()
            : await table.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync();
        return rows
            .Where(row => row.RowKey is "charge" or "refund")
            .GroupBy(row => row.PartitionKey, StringComparer.Ordinal)
            .ToDictionary(
                group => group.Key,
                group => group.Select(row => row.RowKey == "charge" ? $"charge:{row.GetString("Outcome")}" : row.RowKey).Order(StringComparer.Ordinal).ToList(),
                StringComparer.Ordinal);
    }
}
