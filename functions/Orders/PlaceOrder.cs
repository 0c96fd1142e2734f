using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>Command: start fulfilling an accepted order. Its consumer reads the order row for the details.</summary>
public sealed record PlaceOrder(string OrderId)
{
    public OutgoingMessage ToMessage() => new(
        Queues.PlaceOrder,
        MessageId: $"{nameof(PlaceOrder)}:{OrderId}",
        Subject: nameof(PlaceOrder),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.PlaceOrder)));
}
