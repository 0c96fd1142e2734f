using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks.FanOut;

/// <summary>
/// <c>order-events/webhooks</c>: one delivery per registered webhook that wants the event's type (not disabled), plus one
/// to the order's <c>callbackUrl</c> when it has one. The fan-out posts the first <see cref="WebhookOptions.FanOutPostLimit"/>
/// of them itself, in parallel, through <see cref="DeliverWebhookHandler"/> (the same claim, signing, circuit and record
/// as the queue's), so a delivery that goes through costs no command; each one that post does not settle goes on as a
/// <see cref="DeliverWebhook"/> command, held for the first redelivery delay as the queue's second attempt, and every
/// delivery past the limit as a command at once. Delivery ids are deterministic, so handling the same event again posts
/// nothing already delivered (the delivery log settles it) and sends the same commands (duplicate detection drops them).
/// Every event is passed on, stale or not: receivers order them by <c>data.sequence</c>.
/// The subscriptions come from a short-lived cache (<see cref="WebhookSubscriptionCache"/>), not a read per event; the
/// callback URL from the event's <see cref="OrderContact"/>, or from the order row for an event without one.
/// </summary>
public sealed partial class FanOutWebhooksHandler(
    WebhookSubscriptionStore subscriptions,
    OrderStore orders,
    DeliverWebhookHandler deliveries,
    IMessageSender sender,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<FanOutWebhooksHandler> logger) : IMessageHandler<OrderEvent>
{
    private readonly int _postLimit = options.Value.FanOutPostLimit;

    private readonly ConsumerOptions _schedule = options.Value.RedeliverySchedule();

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
        var deliveries = (await subscriptions.ListCachedAsync(cancellationToken))
            .Where(subscription => subscription.Wants(message.Type))
            .Select(subscription => (Command: DeliverWebhook.ForSubscription(subscription.Id, outgoing), Subscription: (WebhookSubscriptionRow?)subscription))
            .ToList();
        if (await CallbackUrlAsync(data, cancellationToken) is { Length: > 0 } callbackUrl)
        {
            deliveries.Add((DeliverWebhook.ForCallback(callbackUrl, outgoing), null));
        }

        // The first ones are posted here; what they leave unsettled, and the rest, go to the queue. One failed send fails
        // the whole fan-out, and its retry goes again: delivered ones are not posted twice, sent commands are duplicates.
        var posted = deliveries.Take(_postLimit).ToList();
        var leftOver = await Task.WhenAll(posted.Select(delivery => PostFirstAttemptAsync(delivery.Command, delivery.Subscription, cancellationToken)));
        var queued = leftOver.OfType<OutgoingMessage>().Concat(deliveries.Skip(_postLimit).Select(delivery => delivery.Command.ToMessage())).ToList();
        foreach (var command in queued)
        {
            await sender.SendAsync(command, cancellationToken);
        }

        LogFannedOut(data.OrderId, message.Type, deliveries.Count - queued.Count, queued.Count);
        return MessageOutcome.Completed;
    }

    /// <summary>
    /// The delivery's first attempt, as the <c>deliver-webhook</c> consumer would make it. Null when that settled it
    /// (delivered, gone, already settled, no longer wanted); else the command to send as the queue's second attempt:
    /// held for the first redelivery delay after a failure, at once after a refusal so that the queue's consumer
    /// dead-letters it with its reason where an operator looks.
    /// </summary>
    private async Task<OutgoingMessage?> PostFirstAttemptAsync(DeliverWebhook command, WebhookSubscriptionRow? subscription, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var context = new MessageContext(command.DeliveryId, nameof(DeliverWebhook), command.Event.Data.OrderId, 1, now, _schedule.MaxAttempts);
        MessageOutcome outcome;
        try
        {
            outcome = await deliveries.DeliverAsync(command, context, subscription, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFirstAttemptFailed(ex, command.DeliveryId, $"{ex.GetType().FullName}: {ex.Message}");
            outcome = MessageOutcome.RetryLater(ex.Message);
        }

        return outcome switch
        {
            MessageOutcome.Completion => null,
            MessageOutcome.Rejection => command.ToSecondAttemptMessage(null),
            _ => command.ToSecondAttemptMessage(now + _schedule.JitteredDelayAfter(1, Random.Shared)),
        };
    }

    /// <summary>The order's callback: from the event when it carries the contact (issue 14), else from the order row as before.</summary>
    private async Task<string?> CallbackUrlAsync(OrderEventData data, CancellationToken cancellationToken) =>
        data.Contact is { } contact ? contact.CallbackUrl : (await orders.FindAsync(data.OrderId, cancellationToken))?.CallbackUrl;

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} settled by the fan-out for {SettledCount} webhook deliveries, queued as DeliverWebhook for {QueuedCount}")]
    private partial void LogFannedOut(string orderId, string eventType, int settledCount, int queuedCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId}: the fan-out's first attempt failed ({Failure}); the deliver-webhook queue takes it on")]
    private partial void LogFirstAttemptFailed(Exception exception, string deliveryId, string failure);
}
