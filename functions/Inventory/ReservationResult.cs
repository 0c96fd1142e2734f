namespace Shop.Functions.Inventory;

/// <summary>
/// The answer of <see cref="InventoryStore.ReserveAsync"/>: every line reserved (now, or by an earlier call), or not one
/// line left reserved because <see cref="OutOfStockSku"/> is out of stock.
/// </summary>
public sealed record ReservationResult(bool Reserved, string? OutOfStockSku = null)
{
    public static ReservationResult AllReserved { get; } = new(true);

    public static ReservationResult OutOfStock(string sku) => new(false, sku);
}

/// <summary>One order's reservation of one SKU, as stored.</summary>
public sealed record StockReservation(
    string Sku,
    string OrderId,
    int Quantity,
    string Status,
    DateTimeOffset ReservedAt,
    DateTimeOffset? ReleasedAt);
