using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>Command: dispatch an order's items to its address. The carrier answers with ShipmentDispatched.</summary>
public sealed record ShipOrder(string OrderId, IReadOnlyList<OrderLine> Items, ShippingAddress Address)
{
    public OutgoingMessage ToMessage() => new(
        Queues.ShipOrder,
        MessageId: $"{nameof(ShipOrder)}:{OrderId}",
        Subject: nameof(ShipOrder),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.ShipOrder)));
}
