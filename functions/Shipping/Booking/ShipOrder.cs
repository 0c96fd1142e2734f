using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping.Booking;

/// <summary>
/// Command: dispatch an order's items to its address. The carrier answers with ShipmentDispatched when the parcel
/// leaves, or ShipmentCancelled when a <see cref="CancelShipment"/> came first; either carries
/// <paramref name="DispatchSequence"/>: the order's sequence number that the saga set aside for it (0 in commands sent
/// before it existed, which the carrier passes on as 0: "not part of the order's sequence"). An order whose
/// shipment was cancelled before this command arrived books nothing. <paramref name="Contact"/> (issue 14; absent in
/// commands sent before it): whom the order's events are for, which the carrier does not store but hands on in its
/// ShipmentDispatched, so that the e-mail and webhook consumers need not read the order row.
/// </summary>
public sealed record ShipOrder(string OrderId, IReadOnlyList<OrderLine> Items, ShippingAddress Address, long DispatchSequence = 0, OrderContact? Contact = null)
{
    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.ShipOrder, $"{nameof(ShipOrder)}:{OrderId}", nameof(ShipOrder), OrderId, this, ShopJsonContext.Default.ShipOrder);
}
