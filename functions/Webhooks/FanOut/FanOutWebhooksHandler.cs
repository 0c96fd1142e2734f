using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks.FanOut;

/// <summary>
/// <c>order-events/webhooks</c>: one <see cref="DeliverWebhook"/> command per registered webhook that wants the
/// event's type (not disabled), plus one to the order's <c>callbackUrl</c> when it has one. Delivery ids are
/// deterministic, so handling the same event again sends the same commands, which duplicate detection and the
/// delivery log absorb. Every event is passed on, stale or not: receivers order them by <c>data.sequence</c>.
/// The subscriptions come from a short-lived cache (<see cref="WebhookSubscriptionCache"/>), not a read per event.
/// </summary>
public sealed partial class FanOutWebhooksHandler(
    WebhookSubscriptionStore subscriptions,
    OrderStore orders,
    IMessageSender sender,
    ILogger<FanOutWebhooksHandler> logger) : IMessageHandler<OrderEvent>
{
    public IReadOnlyCollection<string> Subjects => OrderEventTypes.All;

    public JsonTypeInfo<OrderEvent> TypeInfo => ShopJsonContext.Default.OrderEvent;

    public async Task<MessageOutcome> HandleAsync(OrderEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        if (message.Data is not { OrderId.Length: > 0 } data || message.Subject != data.OrderId)
        {
            return MessageOutcome.Reject("The event needs data.orderId, equal to its subject.");
        }

        // Receivers key on the order id, and the callback log uses it as a table key: pass on only ids the app made.
        if (!OrderIds.IsWellFormed(data.OrderId))
        {
            return MessageOutcome.Reject("The event's data.orderId is not an order id.");
        }

        if (message.Type != context.Subject || string.IsNullOrEmpty(message.Id))
        {
            return MessageOutcome.Reject($"The event's type '{message.Type}' is not its Subject '{context.Subject}', or it has no id.");
        }

        var commands = (await subscriptions.ListCachedAsync(cancellationToken))
            .Where(subscription => subscription.Wants(message.Type))
            .Select(subscription => DeliverWebhook.ForSubscription(subscription.Id, message))
            .ToList();
        if (await orders.FindAsync(data.OrderId, cancellationToken) is { CallbackUrl.Length: > 0 } order)
        {
            commands.Add(DeliverWebhook.ForCallback(order.CallbackUrl, message));
        }

        // One failed send fails the whole fan-out, and its retry sends them all again: the ones already sent are duplicates.
        foreach (var command in commands)
        {
            await sender.SendAsync(command.ToMessage(), cancellationToken);
        }

        LogFannedOut(data.OrderId, message.Type, commands.Count);
        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} queued for {DeliveryCount} webhook deliveries")]
    private partial void LogFannedOut(string orderId, string eventType, int deliveryCount);
}
