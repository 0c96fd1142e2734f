namespace Shop.Functions.Inventory.Admin;

public static class StockRoutes
{
    /// <summary>Under <c>ops/</c> like the other operations endpoints, not <c>admin/</c>, which the host reserves.</summary>
    public const string Stock = "ops/stock/{sku}";
    public const string Receipts = "ops/stock/{sku}/receipts";

    public static string StockPath(string sku) => $"/api/ops/stock/{Uri.EscapeDataString(sku)}";
}

/// <summary>The body of <c>POST /api/ops/stock/{sku}/receipts</c>: a goods receipt, idempotent on <see cref="ReceiptId"/>.</summary>
public sealed record StockReceiptRequest(string? ReceiptId, int? Quantity, string? Note);

/// <summary>A goods receipt as booked: <see cref="AvailableAfter"/> is the stock right after its units were added.</summary>
public sealed record StockReceiptResponse(string Sku, string ReceiptId, int Quantity, DateTimeOffset ReceivedAt, int AvailableAfter, string? Note, string StockUrl);

/// <summary>A SKU's stock row as stored; <see cref="WaitingQuantity"/>: units its backordered orders wait for.</summary>
public sealed record StockResponse(string Sku, int Available, DateTimeOffset UpdatedAt, int WaitingQuantity = 0);
