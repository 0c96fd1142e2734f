using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Inventory;

/// <summary>The stock row of a SKU: PartitionKey = SKU, RowKey = <see cref="InventoryKeys.StockRowKey"/>.</summary>
public sealed class StockRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = InventoryKeys.StockRowKey;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Units that can still be reserved. Never negative: every change is conditional on the ETag.</summary>
    public int Available { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>A reservation that leaves fewer units than this opens a reorder; 0 never does. Null: the catalog's, if any.</summary>
    public int? ReorderPoint { get; set; }

    /// <summary>Units a reorder asks for. Null: the catalog's, if any.</summary>
    public int? ReorderQuantity { get; set; }

    /// <summary>
    /// The open reorder (sent, not yet replenished): the marker that keeps a SKU to one open reorder. Set by the reservation
    /// that opened it, cleared by the replenishment that closes it, both in the stock row's transaction.
    /// </summary>
    public string? OpenReorderId { get; set; }

    /// <summary>How many reorders this SKU opened; the next one's id is <c>{sku}-{count + 1}</c>, so a retry opens the same.</summary>
    public int ReorderCount { get; set; }

    /// <summary>
    /// Units the SKU's waiting orders (backorders) still need: a reservation by any other order leaves them untouched, so a
    /// later order cannot take what an earlier one waits for. Changed with the waiting list, in the stock row's transaction.
    /// </summary>
    public int WaitingQuantity { get; set; }

    /// <summary>How many orders ever joined the SKU's waiting list; the next one's row is <c>waiting|{count + 1}</c>.</summary>
    public long WaitingCount { get; set; }

    /// <summary>Units an order that is not waiting may take: <see cref="Available"/> less <see cref="WaitingQuantity"/>.</summary>
    public int Free() => Available - WaitingQuantity;
}
