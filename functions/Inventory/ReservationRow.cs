using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Inventory;

public static class ReservationStatuses
{
    public const string Reserved = "Reserved";
    public const string Released = "Released";

    /// <summary>Backordered: the order is on the SKU's waiting list (<see cref="ReservationRow.WaitingRowKey"/>) and holds nothing.</summary>
    public const string Waiting = "Waiting";
}

/// <summary>
/// What one order holds of one SKU: PartitionKey = SKU, RowKey = <see cref="InventoryKeys.ReservationRowKey"/>.
/// Written in the same transaction as the stock row it took the units from.
/// </summary>
public sealed class ReservationRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string OrderId { get; set; } = string.Empty;

    public int Quantity { get; set; }

    public string Status { get; set; } = ReservationStatuses.Reserved;

    public DateTimeOffset ReservedAt { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>While <see cref="ReservationStatuses.Waiting"/>: the order's row on the SKU's waiting list.</summary>
    public string? WaitingRowKey { get; set; }

    public StockReservation ToReservation() => new(PartitionKey, OrderId, Quantity, Status, ReservedAt, ReleasedAt);

    internal static ReservationRow Reserve(string partition, string orderId, int quantity, DateTimeOffset now) => new()
    {
        PartitionKey = partition,
        RowKey = InventoryKeys.ReservationRowKey(orderId),
        OrderId = orderId,
        Quantity = quantity,
        Status = ReservationStatuses.Reserved,
        ReservedAt = now,
    };
}
