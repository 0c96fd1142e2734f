using Shop.Functions.Messaging;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>An order's shipment as the carrier holds it: booked, dispatched or cancelled (<see cref="State"/>).</summary>
public sealed record Shipment(string OrderId, string TrackingNumber, DateTimeOffset CreatedAt)
{
    /// <summary>The <see cref="OrderEventData.Status"/> of ShipmentDispatched: the shipment's, not the order's.</summary>
    public const string DispatchedStatus = "Dispatched";

    /// <summary>The <see cref="OrderEventData.Status"/> of ShipmentCancelled: the shipment's, not the order's.</summary>
    public const string CancelledStatus = "Cancelled";

    /// <summary>One of <see cref="ShipmentStates"/>.</summary>
    public string State { get; init; } = ShipmentStates.Booked;

    /// <summary>The order's sequence reserved for the shipment's outcome (from ShipOrder, or CancelShipment for a tombstone).</summary>
    public long DispatchSequence { get; init; }

    public DateTimeOffset? DispatchedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    public string? CancelReason { get; init; }

    public bool IsCancelled => State == ShipmentStates.Cancelled;

    public bool IsDispatched => State == ShipmentStates.Dispatched;

    /// <summary>
    /// ShipmentDispatched for the <c>order-events</c> topic, dated <paramref name="dispatchedAt"/>, carrying
    /// <paramref name="contact"/> when the ShipOrder did. The id and body are the same on every send, so duplicate
    /// detection absorbs a resend within its window.
    /// </summary>
    public OutgoingMessage ToDispatchedMessage(DateTimeOffset dispatchedAt, long sequence, OrderContact? contact = null) =>
        EventMessage(OrderEventTypes.ShipmentDispatched, dispatchedAt, new OrderEventData(OrderId, sequence, DispatchedStatus, TrackingNumber: TrackingNumber, Contact: contact));

    /// <summary>ShipmentCancelled for the <c>order-events</c> topic, under the sequence ShipmentDispatched would have had.</summary>
    public OutgoingMessage ToCancelledMessage(DateTimeOffset cancelledAt, long sequence) =>
        EventMessage(
            OrderEventTypes.ShipmentCancelled,
            cancelledAt,
            new OrderEventData(OrderId, sequence, CancelledStatus, Reason: string.IsNullOrEmpty(CancelReason) ? null : CancelReason, TrackingNumber: TrackingNumber.Length > 0 ? TrackingNumber : null));

    private OutgoingMessage EventMessage(string type, DateTimeOffset time, OrderEventData data)
    {
        // One carrier event per order: its message id has no sequence (the event's id has).
        return OrderEvent.For(type, time, data).ToMessage(messageId: $"{type}:{OrderId}");
    }
}
