using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Inventory;

/// <summary>
/// Units that came into stock once: a goods receipt (RowKey <see cref="InventoryKeys.ReceiptRowKey"/>) or a supplier's
/// replenishment (<see cref="InventoryKeys.ReplenishmentRowKey"/>), in the SKU's partition. Written in the same
/// transaction as the stock row it added to, so its presence means the units were counted, and a second delivery of the
/// same receipt or replenishment counts nothing.
/// </summary>
public sealed class StockReceiptRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The receipt id or replenishment id the caller gave.</summary>
    public string ReceiptId { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>What the stock row held right after these units were added.</summary>
    public int AvailableAfter { get; set; }

    public string? Note { get; set; }
}
