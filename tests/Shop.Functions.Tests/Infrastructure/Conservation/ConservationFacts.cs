using Shop.Functions.Orders;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>An order as the conservation check sees it: its status and what it costs (its priced lines).</summary>
public sealed record OrderFacts(string OrderId, string Status, string? FailureReason, IReadOnlyList<OrderLine> Items, decimal Total, string Currency);

/// <summary>What the payment provider's ledger holds for an order: captured and refunded amounts, and its row keys.</summary>
public sealed record PaymentFacts(string OrderId, decimal Captured, decimal Refunded, string? Currency, IReadOnlyList<string> Rows)
{
    public decimal Net => Captured - Refunded;
}

/// <summary>One reservation row: <paramref name="Held"/> when its status is Reserved (the units are taken).</summary>
public sealed record ReservationFacts(string Sku, string OrderId, int Quantity, bool Held);

/// <summary>
/// An order's shipment at the carrier. <paramref name="State"/> is Booked, Dispatched or Cancelled; null when the row has no
/// State column (the carrier before cancellable shipments, where a booking always leaves: it counts as dispatched).
/// </summary>
public sealed record ShipmentFacts(string OrderId, string? State)
{
    public const string Booked = nameof(Booked);
    public const string Dispatched = nameof(Dispatched);
    public const string Cancelled = nameof(Cancelled);

    /// <summary>The parcel has left, or will without anyone acting (a booking of the old carrier).</summary>
    public bool HasLeft => State is null or Dispatched;

    /// <summary>The carrier holds goods for it: booked or gone, not cancelled.</summary>
    public bool Stands => State != Cancelled;

    public string Describe => State ?? "booked (no State column: it leaves)";
}

/// <summary>Something told to the customer or a receiver: an e-mail blob or a webhook request (<paramref name="Channel"/>).</summary>
public sealed record Announcement(string OrderId, string Channel, string EventType)
{
    public const string Email = "e-mail";
    public const string Webhook = "webhook";
}

/// <summary>Everything the check reads, from whole tables and containers (or made up by a unit test).</summary>
public sealed class ConservationSnapshot
{
    public List<OrderFacts> Orders { get; init; } = [];

    public Dictionary<string, PaymentFacts> Payments { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Available units per SKU (the stock rows).</summary>
    public Dictionary<string, int> Stock { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public List<ReservationFacts> Reservations { get; init; } = [];

    /// <summary>Units that came in per SKU: goods receipts and replenishments (each row counted its units once).</summary>
    public Dictionary<string, int> Received { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every receipt and replenishment row read ("{sku}/{rowKey}"), for the baseline.</summary>
    public HashSet<string> ReceiptKeys { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, ShipmentFacts> Shipments { get; init; } = new(StringComparer.Ordinal);

    public List<Announcement> Announcements { get; init; } = [];
}
