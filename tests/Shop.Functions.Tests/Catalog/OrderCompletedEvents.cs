using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Catalog;

/// <summary>OrderCompleted events as the outbox publishes them, and SKUs no other test uses (tests share one Azurite).</summary>
internal static class OrderCompletedEvents
{
    public static readonly DateTimeOffset Time = new(2030, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static string NewSku() => $"TEST-{Guid.NewGuid():N}".ToUpperInvariant();

    public static OutgoingMessage For(string orderId, params OrderLine[] items) => For(orderId, items, sequence: 6);

    public static OutgoingMessage For(string orderId, IReadOnlyList<OrderLine>? items, long sequence, string type = OrderEventTypes.OrderCompleted)
    {
        var orderEvent = new OrderEvent(
            $"{type}:{orderId}:{sequence}",
            type,
            orderId,
            Time,
            new OrderEventData(orderId, sequence, OrderStatuses.Completed, Items: items));
        return new OutgoingMessage(
            Topics.OrderEvents,
            orderEvent.Id,
            type,
            orderId,
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(orderEvent, ShopJsonContext.Default.OrderEvent)));
    }
}
