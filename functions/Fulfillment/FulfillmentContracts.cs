using Shop.Functions.Orders;

namespace Shop.Functions.Fulfillment;

/// <summary>The orchestration's input: the order, and the settings it runs with (read once, so replay is deterministic).</summary>
public sealed record FulfillmentInput(string OrderId, TimeSpan ShippingTimeout, ActivityRetry Retry)
{
    public static FulfillmentInput For(string orderId, FulfillmentOptions options) => new(
        orderId,
        options.ShippingTimeout,
        new ActivityRetry(options.ActivityMaxAttempts, options.ActivityFirstRetryInterval, options.ActivityMaxRetryInterval));
}

public sealed record ActivityRetry(int MaxAttempts, TimeSpan FirstInterval, TimeSpan MaxInterval);

/// <summary>How the saga ended.</summary>
public sealed record FulfillmentResult(string OrderId, string Status, string? FailureReason = null);

/// <summary>Names of the events the saga waits for, raised by the fulfillment consumer and the cancel endpoint.</summary>
public static class FulfillmentEvents
{
    public const string ShipmentDispatched = nameof(ShipmentDispatched);
    public const string CancelOrder = nameof(CancelOrder);

    /// <summary>The carrier honoured the saga's CancelShipment: nothing ships (raised from the carrier's ShipmentCancelled event).</summary>
    public const string ShipmentCancelled = nameof(ShipmentCancelled);
}

public sealed record ShipmentDispatchedData(string? TrackingNumber);

public sealed record ShipmentCancelledData(string? Reason);

public sealed record CancelOrderRequest(string? Reason);

public sealed record AcceptedOrder(string OrderId, IReadOnlyList<OrderLine> Items);

public sealed record StockInput(string OrderId, IReadOnlyList<OrderLine> Items);

public sealed record StockOutcome(bool Reserved, string? OutOfStockSku = null);

public sealed record PaymentOutcome(bool Captured, string? DeclineCode = null);

public sealed record CompleteOrderInput(string OrderId, string? TrackingNumber);

public sealed record FailOrderInput(string OrderId, string Reason);
