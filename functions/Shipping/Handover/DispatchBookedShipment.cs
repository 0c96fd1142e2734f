using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping.Handover;

/// <summary>
/// Carrier-internal command (queue <see cref="Queues.DispatchBookedShipment"/>): the sandbox carrier's warehouse hands the
/// booked parcel over, <see cref="ShippingOptions.DispatchDelay"/> after the booking. Its handler moves the shipment
/// Booked -> Dispatched and only then publishes ShipmentDispatched under <paramref name="DispatchSequence"/>, the
/// sequence the ShipOrder carried, with the ShipOrder's <paramref name="Contact"/> (null when it had none). Nothing outside
/// Shipping sends it; a real carrier reports dispatch its own way.
/// </summary>
public sealed record DispatchBookedShipment(string OrderId, long DispatchSequence, OrderContact? Contact = null)
{
    /// <summary>Held by Service Bus until <paramref name="dispatchAt"/>; the id is the same on every send, so a resend is a duplicate.</summary>
    public OutgoingMessage ToMessage(DateTimeOffset dispatchAt) => new(
        Queues.DispatchBookedShipment,
        MessageId: $"{nameof(DispatchBookedShipment)}:{OrderId}",
        Subject: nameof(DispatchBookedShipment),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.DispatchBookedShipment)))
    {
        ScheduledEnqueueTime = dispatchAt,
    };
}
