namespace Shop.Functions.Inventory;

/// <summary>
/// The answer of <see cref="InventoryStore.ReserveAsync"/>: every line reserved (now, or by an earlier call), or not one
/// line left reserved because <see cref="OutOfStockSku"/> is out of stock. <see cref="InventoryStore.ReserveOrWaitAsync"/>
/// may also answer that the order waits for the SKUs <see cref="WaitingSkus"/>, keeping the lines it holds.
/// </summary>
public sealed record ReservationResult(bool Reserved, string? OutOfStockSku = null, IReadOnlyList<string>? WaitingSkus = null)
{
    public static ReservationResult AllReserved { get; } = new(true);

    public static ReservationResult OutOfStock(string sku) => new(false, sku);

    public static ReservationResult Waiting(IReadOnlyList<string> skus) => new(false, WaitingSkus: skus);
}

/// <summary>One order's reservation of one SKU, as stored.</summary>
public sealed record StockReservation(
    string Sku,
    string OrderId,
    int Quantity,
    string Status,
    DateTimeOffset ReservedAt,
    DateTimeOffset? ReleasedAt);
