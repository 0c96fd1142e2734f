namespace Shop.Functions.Orders;

/// <summary>One line of an accepted order.</summary>
public sealed record OrderLine(string Sku, int Quantity);

/// <summary>A line of an order priced from the catalog at intake: what the customer is charged, whatever the catalog says later.</summary>
public sealed record PricedLine(string Sku, int Quantity, decimal UnitPrice, string Currency);

/// <summary>Where the order ships. <see cref="Country"/> is an ISO 3166-1 alpha-2 code.</summary>
public sealed record ShippingAddress(
    string? Line1,
    string? Line2,
    string? City,
    string? Region,
    string? PostalCode,
    string? Country);

/// <summary>A step the order went through, with when it happened (the event name, or <c>Submitted</c>).</summary>
public sealed record OrderStep(string Name, DateTimeOffset At, string? Detail = null);

/// <summary>Order statuses. Terminal ones never change again.</summary>
public static class OrderStatuses
{
    /// <summary>Stored by the front door; fulfillment has not started yet.</summary>
    public const string Accepted = "Accepted";

    /// <summary>The saga is reserving stock or charging payment.</summary>
    public const string Processing = "Processing";

    /// <summary>
    /// Backordered: some lines are short of stock and the order waits for a replenishment (up to
    /// <c>Fulfillment:BackorderLimit</c>), keeping what it reserved. Nothing is charged yet; still cancellable.
    /// </summary>
    public const string Backordered = "Backordered";

    /// <summary>Shipment requested; waiting for the carrier to dispatch it (still cancellable).</summary>
    public const string AwaitingShipment = "AwaitingShipment";

    /// <summary>
    /// Non-terminal: a refund, a stock release or a shipment cancellation is owed and being retried on the long schedule
    /// (<c>Fulfillment:Compensation*</c>). The order ends Cancelled or Failed once it is paid back, or NeedsAttention.
    /// </summary>
    public const string Compensating = "Compensating";

    public const string Completed = "Completed";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    /// <summary>
    /// The saga gave up on a compensation, or found something it cannot repair: final for the saga, listed by
    /// <c>GET /api/ops/orders/needs-attention</c> and alerted on, with the reason in <c>failureReason</c>. A person decides.
    /// </summary>
    public const string NeedsAttention = "NeedsAttention";

    /// <summary>The step recorded by the front door.</summary>
    public const string SubmittedStep = "Submitted";

    public static bool IsTerminal(string status) => status is Completed or Failed or Cancelled or NeedsAttention;
}

/// <summary>Steps on the order's history that are not events.</summary>
public static class OrderStepNames
{
    /// <summary>A compensation failed through its retries and is retried on the long schedule (status Compensating).</summary>
    public const string CompensationOwed = nameof(CompensationOwed);
}

/// <summary>Why an order failed (the <c>failureReason</c> clients see).</summary>
public static class FailureReasons
{
    public const string OutOfStock = nameof(OutOfStock);
    public const string PaymentDeclined = nameof(PaymentDeclined);
    public const string PaymentFailed = nameof(PaymentFailed);
    public const string ShippingTimeout = nameof(ShippingTimeout);

    /// <summary>A dependency stayed unavailable through every retry; the order was compensated and ended.</summary>
    public const string FulfillmentError = nameof(FulfillmentError);
}
