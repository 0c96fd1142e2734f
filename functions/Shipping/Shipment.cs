using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>An order's shipment as the carrier booked it.</summary>
public sealed record Shipment(string OrderId, string TrackingNumber, DateTimeOffset CreatedAt)
{
    /// <summary>The <see cref="OrderEventData.Status"/> of ShipmentDispatched: the shipment's, not the order's.</summary>
    public const string DispatchedStatus = "Dispatched";

    /// <summary>
    /// The sequence ShipmentDispatched carries when its ShipOrder had no <see cref="ShipOrder.DispatchSequence"/> (a
    /// command from before the saga reserved one). Consumers take it as "not part of the order's sequence".
    /// </summary>
    public const long UnsequencedDispatch = 0;

    /// <summary>
    /// ShipmentDispatched for the <c>order-events</c> topic, held by Service Bus until <paramref name="dispatchAt"/>.
    /// The id is the same on every send, so duplicate detection absorbs a resend within its window.
    /// </summary>
    public OutgoingMessage ToDispatchedMessage(DateTimeOffset dispatchAt, long sequence)
    {
        var type = OrderEventTypes.ShipmentDispatched;
        var data = new OrderEventData(OrderId, sequence, DispatchedStatus, TrackingNumber: TrackingNumber);
        var orderEvent = new OrderEvent($"{type}:{OrderId}:{sequence}", type, OrderId, dispatchAt, data);
        return new OutgoingMessage(
            Topics.OrderEvents,
            MessageId: $"{type}:{OrderId}",
            Subject: type,
            CorrelationId: OrderId,
            Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(orderEvent, ShopJsonContext.Default.OrderEvent)))
        {
            ScheduledEnqueueTime = dispatchAt,
        };
    }
}
