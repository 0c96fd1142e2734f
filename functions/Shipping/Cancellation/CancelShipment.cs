using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping.Cancellation;

/// <summary>
/// Command: do not ship the order. The carrier honours it until it dispatches: a booked shipment becomes Cancelled and
/// the carrier publishes ShipmentCancelled under <paramref name="DispatchSequence"/> (the sequence the saga reserved for
/// the shipment's outcome); an order not booked yet gets a Cancelled tombstone, so its ShipOrder books nothing; after
/// dispatch it changes nothing (ShipmentDispatched is, or will be, on its way).
/// </summary>
public sealed record CancelShipment(string OrderId, long DispatchSequence, string Reason)
{
    /// <summary>The longest reason the carrier keeps.</summary>
    public const int MaxReasonLength = 500;

    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.CancelShipment, $"{nameof(CancelShipment)}:{OrderId}", nameof(CancelShipment), OrderId, this, ShopJsonContext.Default.CancelShipment);
}
