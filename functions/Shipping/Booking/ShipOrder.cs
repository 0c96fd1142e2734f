using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping.Booking;

/// <summary>
/// Command: dispatch an order's items to its address. The carrier answers with ShipmentDispatched when the parcel
/// leaves, or ShipmentCancelled when a <see cref="CancelShipment"/> came first; either carries
/// <paramref name="DispatchSequence"/>: the order's sequence number that the saga set aside for it (0 in commands sent
/// before it existed, which the carrier passes on as 0: "not part of the order's sequence"). An order whose
/// shipment was cancelled before this command arrived books nothing.
/// </summary>
public sealed record ShipOrder(string OrderId, IReadOnlyList<OrderLine> Items, ShippingAddress Address, long DispatchSequence = 0)
{
    public OutgoingMessage ToMessage() => new(
        Queues.ShipOrder,
        MessageId: $"{nameof(ShipOrder)}:{OrderId}",
        Subject: nameof(ShipOrder),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.ShipOrder)));
}
