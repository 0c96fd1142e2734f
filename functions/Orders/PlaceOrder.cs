using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>Command: start fulfilling an accepted order. Its consumer reads the order row for the details.</summary>
public sealed record PlaceOrder(string OrderId)
{
    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.PlaceOrder, $"{nameof(PlaceOrder)}:{OrderId}", nameof(PlaceOrder), OrderId, this, ShopJsonContext.Default.PlaceOrder);
}
