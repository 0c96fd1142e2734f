using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>
/// Command: cancel the order's shipment unless the carrier dispatched it. The carrier answers ShipmentCancelled with
/// <paramref name="DispatchSequence"/> (the number the saga set aside for the carrier's answer), or nothing when the
/// parcel left (its ShipmentDispatched is on its way).
/// </summary>
public sealed record CancelShipment(string OrderId, long DispatchSequence, string Reason)
{
    public OutgoingMessage ToMessage() => new(
        Queues.CancelShipment,
        MessageId: $"{nameof(CancelShipment)}:{OrderId}",
        Subject: nameof(CancelShipment),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.CancelShipment)));
}
