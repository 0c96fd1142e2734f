using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Inventory;

/// <summary>The stock row of a SKU: PartitionKey = SKU, RowKey = <see cref="InventoryKeys.StockRowKey"/>.</summary>
public sealed class StockEntity : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = InventoryKeys.StockRowKey;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Units that can still be reserved. Never negative: every change is conditional on the ETag.</summary>
    public int Available { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
