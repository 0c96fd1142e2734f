using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>Orders, order events and DeliverWebhook commands as the webhook consumers receive them.</summary>
public static class WebhookEvents
{
    public static async Task<OrderRow> AddOrderAsync(ShopTestServices shop, string? callbackUrl = null)
    {
        var now = shop.Get<TimeProvider>().GetUtcNow();
        var order = new OrderRow
        {
            PartitionKey = OrderIds.NewRandom(),
            Status = OrderStatuses.Processing,
            Sequence = 3,
            CustomerId = "cust-42",
            CustomerEmail = "ada@example.com",
            CustomerName = "Ada Lovelace",
            PaymentMethod = "card",
            PaymentToken = "tok_visa_secret_123",
            CallbackUrl = callbackUrl,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await shop.OrdersTable.AddEntityAsync(order);
        return order;
    }

    public static OrderEvent Event(string eventType, string orderId, long sequence = 3) =>
        new($"{eventType}:{orderId}:{sequence}", eventType, orderId, WebhookTests.Start.AddMinutes(sequence), new OrderEventData(orderId, sequence, OrderStatuses.Processing));

    public static ServiceBusReceivedMessage Received(OrderEvent orderEvent) =>
        ServiceBusMessages.Received(
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(orderEvent, ShopJsonContext.Default.OrderEvent)),
            orderEvent.Type,
            orderEvent.Id,
            orderEvent.Data.OrderId);

    /// <summary>A DeliverWebhook of a new order's event to a registered webhook.</summary>
    public static async Task<DeliverWebhook> CommandAsync(ShopTestServices shop, string subscriptionId, string eventType = OrderEventTypes.OrderAccepted)
    {
        var order = await AddOrderAsync(shop);
        return DeliverWebhook.ForSubscription(subscriptionId, Event(eventType, order.OrderId));
    }

    public static ServiceBusReceivedMessage Received(DeliverWebhook command) => ServiceBusMessages.Received(command.ToMessage());

    public static async Task<WebhookDeliveryRow> LogAsync(ShopTestServices shop, string partition, string deliveryId) =>
        await shop.Get<WebhookDeliveryLog>().FindAsync(partition, deliveryId, CancellationToken.None)
            ?? throw new InvalidOperationException($"No log row for {deliveryId}.");

    public static IReadOnlyList<DeliverWebhook> Commands(ShopTestServices shop) =>
        shop.Sender.Sent.Where(message => message.Destination == Queues.DeliverWebhook).Select(Read).ToList();

    public static DeliverWebhook Read(OutgoingMessage message) =>
        JsonSerializer.Deserialize(message.Body.ToMemory().Span, ShopJsonContext.Default.DeliverWebhook)!;
}
