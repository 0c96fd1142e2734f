using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Inventory;

/// <summary>
/// One backordered order on a SKU's waiting list: PartitionKey = SKU, RowKey = <see cref="InventoryKeys.WaitingRowKey"/>
/// (arrival order). Written and deleted with the order's reservation row and the stock row, in one transaction.
/// </summary>
public sealed class WaitingRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string OrderId { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public DateTimeOffset Since { get; set; }
}

/// <summary>A waiting order of a SKU, as <see cref="InventoryStore.GetWaitersAsync"/> lists them (oldest first).</summary>
public sealed record StockWaiter(string OrderId, int Quantity, DateTimeOffset Since);
