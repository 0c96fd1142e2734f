using System.Text.Json.Serialization;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders.Events;

/// <summary>
/// An order event as a CloudEvents 1.0 structured JSON message. <see cref="Type"/> is the event name
/// (<c>OrderCompleted</c>), the same as the Service Bus Subject that subscriptions filter on; <see cref="Subject"/>
/// is the order id; <see cref="Id"/> is deterministic (<c>{type}:{orderId}:{sequence}</c>), so a resend is a duplicate.
/// </summary>
public sealed record OrderEvent(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("data")] OrderEventData Data)
{
    public const string CurrentSpecVersion = "1.0";
    public const string EventSource = "/shop/orders";

    [JsonPropertyName("specversion")]
    public string SpecVersion => CurrentSpecVersion;

    [JsonPropertyName("source")]
    public string Source => EventSource;

    [JsonPropertyName("datacontenttype")]
    public string DataContentType => "application/json";

    /// <summary>The event of type <paramref name="type"/> for <paramref name="data"/>'s order and sequence: the one place its id is made.</summary>
    public static OrderEvent For(string type, DateTimeOffset time, OrderEventData data) =>
        new($"{type}:{data.OrderId}:{data.Sequence}", type, data.OrderId, time, data);

    /// <summary>The event for the <c>order-events</c> topic, Subject its type; <paramref name="messageId"/> defaults to its id.</summary>
    public OutgoingMessage ToMessage(string? messageId = null) =>
        OutgoingMessage.Json(Topics.OrderEvents, messageId ?? Id, Type, Subject, this, ShopJsonContext.Default.OrderEvent);
}

/// <summary>
/// What every order event says. <see cref="Sequence"/> rises by one with each change of the order, so a
/// consumer that has applied sequence N ignores anything at or below N. <see cref="Contact"/> (issue 14) is optional:
/// events the saga records carry it, the carrier's and every event from before it do not, and a consumer then reads the
/// order row as before.
/// </summary>
public sealed record OrderEventData(
    string OrderId,
    long Sequence,
    string Status,
    string? Reason = null,
    IReadOnlyList<OrderLine>? Items = null,
    decimal? Amount = null,
    string? Currency = null,
    string? ChargeId = null,
    string? TrackingNumber = null,
    OrderContact? Contact = null);

/// <summary>
/// Whom the order's events are for, as on the order row, so that the e-mail and webhook consumers need not read it. Internal:
/// the webhook fan-out removes it before an event leaves the app (a customer's address is not a subscriber's business).
/// <see cref="CallbackUrl"/> null means the order has no callback.
/// </summary>
public sealed record OrderContact(string Email, string Name, string? CallbackUrl = null);

/// <summary>The order events, past tense. These names are contracts: Subjects, CloudEvent types, webhook event types.</summary>
public static class OrderEventTypes
{
    public const string OrderAccepted = nameof(OrderAccepted);
    public const string StockReserved = nameof(StockReserved);
    /// <summary>
    /// The order waits for stock (status <see cref="OrderStatuses.Backordered"/>): <c>data.reason</c> lists the SKUs it waits
    /// for, <c>data.items</c> the order's lines. Once per order; <see cref="StockReserved"/> follows when it is served.
    /// </summary>
    public const string Backordered = nameof(Backordered);

    public const string PaymentCaptured = nameof(PaymentCaptured);
    public const string ShipmentRequested = nameof(ShipmentRequested);

    /// <summary>
    /// Published by the carrier (Shipping), not by the order's outbox, when the parcel leaves. Its
    /// <see cref="OrderEventData.Sequence"/> is the order's sequence number that the saga reserved for it in
    /// <c>ShipOrder.DispatchSequence</c> (0, "unsequenced", for a ShipOrder sent before the saga reserved one).
    /// </summary>
    public const string ShipmentDispatched = nameof(ShipmentDispatched);

    /// <summary>
    /// Published by the carrier (Shipping) when it honoured a CancelShipment before dispatch (or before the booking: the
    /// order then books nothing). It carries the same reserved sequence as <see cref="ShipmentDispatched"/> would have:
    /// an order's shipment has exactly one of the two. Not e-mailed (OrderCancelled tells the customer); webhooks get it.
    /// </summary>
    public const string ShipmentCancelled = nameof(ShipmentCancelled);

    /// <summary>Recorded by the saga when it sends CancelShipment to the carrier (a compensation of a requested shipment).</summary>
    public const string ShipmentCancellationRequested = nameof(ShipmentCancellationRequested);

    public const string OrderCompleted = nameof(OrderCompleted);
    public const string OrderFailed = nameof(OrderFailed);
    public const string OrderCancelled = nameof(OrderCancelled);
    public const string PaymentRefunded = nameof(PaymentRefunded);
    public const string StockReleased = nameof(StockReleased);


    /// <summary>The order ended in <see cref="OrderStatuses.NeedsAttention"/>: a person must look (the reason is in <c>data.reason</c>).</summary>
    public const string OrderNeedsAttention = nameof(OrderNeedsAttention);

    public static IReadOnlyList<string> All { get; } =
    [
        OrderAccepted, StockReserved, PaymentCaptured, ShipmentRequested, ShipmentDispatched, OrderCompleted,
        OrderFailed, OrderCancelled, PaymentRefunded, StockReleased, ShipmentCancellationRequested, ShipmentCancelled,
        OrderNeedsAttention, Backordered,
    ];
}
