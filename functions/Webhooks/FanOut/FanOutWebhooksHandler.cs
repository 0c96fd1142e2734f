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
/// The subscriptions come from a short-lived cache (<see cref="WebhookSubscriptionCache"/>), not a read per event; the
/// callback URL from the event's <see cref="OrderContact"/>, or from the order row for an event without one.
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
        if (OrderEventCheck.Problem(message, context) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        // The event goes out to receivers as it is: its CloudEvents envelope must be whole.
        var data = message.Data!;
        if (message.Subject != data.OrderId || string.IsNullOrEmpty(message.Id))
        {
            return MessageOutcome.Reject("The event needs an id, and a subject equal to data.orderId.");
        }

        // The contact block is the app's own: receivers get the event without it.
        var outgoing = data.Contact is null ? message : message with { Data = data with { Contact = null } };
        var commands = (await subscriptions.ListCachedAsync(cancellationToken))
            .Where(subscription => subscription.Wants(message.Type))
            .Select(subscription => DeliverWebhook.ForSubscription(subscription.Id, outgoing))
            .ToList();
        if (await CallbackUrlAsync(data, cancellationToken) is { Length: > 0 } callbackUrl)
        {
            commands.Add(DeliverWebhook.ForCallback(callbackUrl, outgoing));
        }

        // One failed send fails the whole fan-out, and its retry sends them all again: the ones already sent are duplicates.
        foreach (var command in commands)
        {
            await sender.SendAsync(command.ToMessage(), cancellationToken);
        }

        LogFannedOut(data.OrderId, message.Type, commands.Count);
        return MessageOutcome.Completed;
    }

    /// <summary>The order's callback: from the event when it carries the contact (issue 14), else from the order row as before.</summary>
    private async Task<string?> CallbackUrlAsync(OrderEventData data, CancellationToken cancellationToken) =>
        data.Contact is { } contact ? contact.CallbackUrl : (await orders.FindAsync(data.OrderId, cancellationToken))?.CallbackUrl;

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} queued for {DeliveryCount} webhook deliveries")]
    private partial void LogFannedOut(string orderId, string eventType, int deliveryCount);
}
