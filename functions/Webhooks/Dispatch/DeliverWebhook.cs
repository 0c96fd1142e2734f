using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Webhooks.Dispatch;

/// <summary>
/// Command: deliver one order event to one endpoint. <see cref="SubscriptionId"/> names a registered webhook, or is
/// <see cref="CallbackTarget"/> for the order's own <c>callbackUrl</c> (then <see cref="CallbackUrl"/> is set).
/// <see cref="DeliveryId"/> is deterministic and is also the <c>webhook-id</c> the receiver sees. <see cref="Round"/>
/// is 0 for the first delivery and rises with each redelivery asked for through the API.
/// </summary>
public sealed record DeliverWebhook(string DeliveryId, string SubscriptionId, OrderEvent Event, string? CallbackUrl = null, int Round = 0)
{
    public const string CallbackTarget = "callback";

    public bool IsCallback => SubscriptionId == CallbackTarget;

    /// <summary>The delivery log's partition: the subscription, or <c>callback-{orderId}</c>.</summary>
    public string LogPartition => IsCallback ? $"{CallbackTarget}-{Event.Data.OrderId}" : SubscriptionId;

    public static DeliverWebhook ForSubscription(string subscriptionId, OrderEvent orderEvent) =>
        new(WebhookIds.DeliveryId(subscriptionId, orderEvent.Id, orderEvent.Time), subscriptionId, orderEvent);

    public static DeliverWebhook ForCallback(string callbackUrl, OrderEvent orderEvent) =>
        new(WebhookIds.DeliveryId(CallbackTarget, orderEvent.Id, orderEvent.Time), CallbackTarget, orderEvent, callbackUrl);

    /// <summary>
    /// The command as the queue's second attempt, after the fan-out's own first post did not settle the delivery
    /// (<see cref="FanOut.FanOutWebhooksHandler"/>): the same message id, attempt 2 of the redelivery schedule, held until
    /// <paramref name="enqueueAt"/> (null: at once).
    /// </summary>
    public OutgoingMessage ToSecondAttemptMessage(DateTimeOffset? enqueueAt) =>
        ToMessage() with
        {
            ScheduledEnqueueTime = enqueueAt,
            ApplicationProperties = new Dictionary<string, object>(StringComparer.Ordinal) { [RetryProperties.Attempt] = 2 },
        };

    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.DeliverWebhook, Round == 0 ? DeliveryId : $"{DeliveryId}#redeliver{Round}", nameof(DeliverWebhook), Event.Data.OrderId, this, ShopJsonContext.Default.DeliverWebhook);
}
