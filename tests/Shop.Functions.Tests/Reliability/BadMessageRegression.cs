using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Reliability;

/// <summary>Shared by the regression tests of bugs the bad-message campaign found: one message through one consumer.</summary>
public static class BadMessageRegression
{
    public static OrderEvent Event(string type, string orderId, IReadOnlyList<Shop.Functions.Orders.OrderLine>? items = null) =>
        new($"{type}:{orderId}:3", type, orderId, new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), new OrderEventData(orderId, 3, "Accepted", Items: items));

    public static ServiceBusReceivedMessage Received(OrderEvent orderEvent) =>
        ServiceBusMessages.Received(JsonSerializer.Serialize(orderEvent, ShopJsonContext.Default.OrderEvent), orderEvent.Type);

    /// <summary>Calls the consumer function <paramref name="consumer"/> (its [Function] name) and returns the settlement mock.</summary>
    public static async Task<Mock<ServiceBusMessageActions>> ConsumeAsync(ShopTestServices shop, string consumer, ServiceBusReceivedMessage message)
    {
        var actions = new Mock<ServiceBusMessageActions>();
        await FunctionMethods.InvokeAsync(shop, consumer, new Dictionary<string, string>(), message, actions.Object);
        return actions;
    }
}
