using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>
/// The orchestration's input: the order, and the settings it runs with (read once, so replay is deterministic).
/// <paramref name="Compensation"/> and <paramref name="CarrierAnswerTimeout"/> came with version 2; version 1 instances
/// have neither and never read them. <paramref name="Accepted"/> (issue 14): the PlaceOrder consumer accepted the order
/// before it started the saga, which then skips its AcceptOrder activity; instances started without it (before the
/// change, or by the watchdog or the cancel endpoint) run AcceptOrder as before. <paramref name="Backorders"/> (issue
/// 18): instances started without it fail out of stock at once, as they did when they started, and replay identically.
/// </summary>
public sealed record FulfillmentInput(
    string OrderId,
    TimeSpan ShippingTimeout,
    ActivityRetry Retry,
    LongRetry? Compensation = null,
    TimeSpan? CarrierAnswerTimeout = null,
    TimeSpan? PaymentActionTimeout = null,
    AcceptedOrder? Accepted = null,
    BackorderPolicy? Backorders = null)
{
    public static FulfillmentInput For(string orderId, FulfillmentOptions options, AcceptedOrder? accepted = null) => new(
        orderId,
        options.ShippingTimeout,
        new ActivityRetry(options.ActivityMaxAttempts, options.ActivityFirstRetryInterval, options.ActivityMaxRetryInterval),
        new LongRetry(options.CompensationFirstRetryInterval, options.CompensationMaxRetryInterval, options.CompensationGiveUpAfter),
        options.CarrierAnswerTimeout,
        options.PaymentActionTimeout,
        accepted,
        options.Backorders ? new BackorderPolicy(options.BackorderLimit, options.BackorderRecheckInterval) : null);
}

/// <summary>
/// An order short of stock waits for it (docs/saga.md, "Backorders"): up to <paramref name="Limit"/> after it was first
/// short, trying its reservation again on each <see cref="FulfillmentEvents.StockReplenished"/> and every
/// <paramref name="RecheckInterval"/> (stock may also come from a goods receipt or a release).
/// </summary>
public sealed record BackorderPolicy(TimeSpan Limit, TimeSpan RecheckInterval);

public sealed record ActivityRetry(int MaxAttempts, TimeSpan FirstInterval, TimeSpan MaxInterval);

/// <summary>
/// The schedule of a step that must not be dropped (a compensation, the final write): after its activity retries are spent,
/// a durable timer waits <paramref name="FirstInterval"/>, doubling up to <paramref name="MaxInterval"/>, and the step runs
/// again, until <paramref name="GiveUpAfter"/> has passed since the first failure.
/// </summary>
public sealed record LongRetry(TimeSpan FirstInterval, TimeSpan MaxInterval, TimeSpan GiveUpAfter);

/// <summary>How the saga ended.</summary>
public sealed record FulfillmentResult(string OrderId, string Status, string? FailureReason = null);

/// <summary>Names of the events the saga waits for, raised by the fulfillment consumer and the cancel endpoint.</summary>
public static class FulfillmentEvents
{
    public const string ShipmentDispatched = nameof(ShipmentDispatched);
    public const string CancelOrder = nameof(CancelOrder);

    /// <summary>The carrier honoured the saga's CancelShipment: nothing ships (raised from the carrier's ShipmentCancelled event).</summary>
    public const string ShipmentCancelled = nameof(ShipmentCancelled);

    /// <summary>A charge that was pending (3-D Secure) succeeded or failed: raised from Stripe's webhook (Payments/StripeEvents/StripeEventsHandler.cs).</summary>
    public const string PaymentSettled = nameof(PaymentSettled);

    /// <summary>Units of a SKU the backordered order waits for arrived: raised by the StockReplenished consumer to the waiters.</summary>
    public const string StockReplenished = nameof(StockReplenished);
}

/// <summary>Which SKU was replenished (the saga tries its whole reservation again whatever it says).</summary>
public sealed record StockReplenishedData(string Sku, string? ReplenishmentId);

/// <summary>How a pending charge ended, as the provider's webhook told it; the saga asks the provider for the amount.</summary>
public sealed record PaymentSettledData(string PaymentIntentId, bool Succeeded, string? DeclineCode);

public sealed record ShipmentDispatchedData(string? TrackingNumber);

public sealed record ShipmentCancelledData(string? Reason);

public sealed record CancelOrderRequest(string? Reason);

public sealed record AcceptedOrder(string OrderId, IReadOnlyList<OrderLine> Items);

/// <summary><paramref name="Backorder"/>: a line short of stock waits on its SKU's waiting list instead of failing the order.</summary>
public sealed record StockInput(string OrderId, IReadOnlyList<OrderLine> Items, bool Backorder = false);

/// <summary>Reserved, out of stock, or (backorders only) waiting for the SKUs <paramref name="WaitingSkus"/>.</summary>
public sealed record StockOutcome(bool Reserved, string? OutOfStockSku = null, IReadOnlyList<string>? WaitingSkus = null)
{
    public bool Waiting => !Reserved && WaitingSkus is { Count: > 0 };
}

/// <summary>
/// The charge's outcome. <paramref name="AwaitingAction"/>: neither captured nor declined yet (3-D Secure); the saga waits
/// for <see cref="FulfillmentEvents.PaymentSettled"/>. Sandbox charges, and every charge before it existed, never have it.
/// </summary>
public sealed record PaymentOutcome(bool Captured, string? DeclineCode = null, bool AwaitingAction = false);

public sealed record CompleteOrderInput(string OrderId, string? TrackingNumber);

public sealed record FailOrderInput(string OrderId, string Reason);

/// <summary>Asks the carrier to cancel the order's shipment: <paramref name="Reason"/> is <c>Cancelled</c> or a failure reason.</summary>
public sealed record ShipmentCancellationInput(string OrderId, string Reason);

/// <summary>A compensation (or the final write) failed through its activity retries and will be tried again later.</summary>
public sealed record StepOwedInput(string OrderId, string Activity, string Error);

public sealed record NeedsAttentionInput(string OrderId, string Reason);
