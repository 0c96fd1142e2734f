using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks.Dispatch;

/// <summary>
/// <c>deliver-webhook</c>: posts one event to one endpoint (<see cref="IWebhookSender"/>: signing, quick retries,
/// the per-host circuit breaker, the SSRF guard) and records the outcome in the delivery log.
/// Delivered: done, and a failing subscription is active again. 410 Gone: the subscription is disabled.
/// Failed, or deferred by an open circuit: tried again on the redelivery schedule (<see cref="WebhookOptions"/>);
/// after the last attempt the subscription is marked failing and the command dead-lettered.
/// Refused by the SSRF guard: dead-lettered at once, the subscription marked failing.
/// The same command twice posts once (the log's row settles it); a deleted or disabled subscription gets nothing.
/// </summary>
public sealed partial class DeliverWebhookHandler(
    WebhookSubscriptionStore subscriptions,
    WebhookDeliveryLog log,
    IWebhookSender sender,
    CallbackSecrets callbackSecrets,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<DeliverWebhookHandler> logger) : IMessageHandler<DeliverWebhook>
{
    private readonly TimeSpan _lease = options.Value.DeliveryLease;

    private readonly ConsumerOptions _schedule = options.Value.RedeliverySchedule();

    public IReadOnlyCollection<string> Subjects { get; } = [nameof(DeliverWebhook)];

    public JsonTypeInfo<DeliverWebhook> TypeInfo => ShopJsonContext.Default.DeliverWebhook;

    public Task<MessageOutcome> HandleAsync(DeliverWebhook message, MessageContext context, CancellationToken cancellationToken) =>
        DeliverAsync(message, context, null, cancellationToken);

    /// <summary>
    /// One attempt of the delivery, as <see cref="HandleAsync"/>; <paramref name="known"/> is the subscription the caller
    /// already holds (the fan-out's, from the same cache), so it is not looked up again.
    /// </summary>
    public async Task<MessageOutcome> DeliverAsync(DeliverWebhook message, MessageContext context, WebhookSubscriptionRow? known, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        if (Invalid(message) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var now = time.GetUtcNow();
        WebhookSubscriptionRow? subscription = null;
        string url;
        IReadOnlyList<string> secrets;
        if (message.IsCallback)
        {
            url = message.CallbackUrl!;
            secrets = [callbackSecrets.For(message.Event.Data.OrderId)];
        }
        else
        {
            subscription = known?.Id == message.SubscriptionId ? known : await subscriptions.FindCachedAsync(message.SubscriptionId, cancellationToken);
            if (subscription is null || subscription.Status == WebhookStatuses.Disabled)
            {
                LogNoLongerWanted(message.DeliveryId, message.SubscriptionId, subscription?.Status ?? "deleted");
                return MessageOutcome.Completed;
            }

            url = subscription.Url;
            secrets = subscription.SigningSecrets(now);
        }

        var (claim, row) = await log.ClaimAsync(message, url, now, _lease, cancellationToken);
        switch (claim)
        {
            case DeliveryClaim.AlreadySettled or DeliveryClaim.Superseded:
                LogDuplicate(message.DeliveryId, message.Round, row.Status, row.Round);
                return MessageOutcome.Completed;
            case DeliveryClaim.Busy:
                return MessageOutcome.RetryLater($"Delivery {message.DeliveryId} is being posted by another copy of the command until {row.LeaseUntil:O}.");
        }

        var body = JsonSerializer.Serialize(message.Event, ShopJsonContext.Default.OrderEvent);
        var result = await sender.PostAsync(new WebhookPost(new Uri(url), message.DeliveryId, now, body, secrets), cancellationToken);
        var attempts = result.Attempts.Select(a => new WebhookAttemptRecord(a.StartedAt, (int)a.Duration.TotalMilliseconds, a.StatusCode, a.Error, message.Round));
        return await SettleAsync(message, context, subscription, row, result, attempts, now, cancellationToken);
    }

    private async Task<MessageOutcome> SettleAsync(
        DeliverWebhook message,
        MessageContext context,
        WebhookSubscriptionRow? subscription,
        WebhookDeliveryRow row,
        WebhookPostResult result,
        IEnumerable<WebhookAttemptRecord> attempts,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var error = result.Error ?? result.Status.ToString();
        switch (result.Status)
        {
            case WebhookPostStatus.Delivered:
                await log.RecordAsync(row, WebhookDeliveryStatuses.Delivered, attempts, null, null, now, cancellationToken);
                if (subscription is not null)
                {
                    await subscriptions.RecordDeliveredAsync(subscription, cancellationToken);
                }

                LogDelivered(message.DeliveryId, message.Event.Type, result.Attempts.Count);
                return MessageOutcome.Completed;

            case WebhookPostStatus.Gone:
                await log.RecordAsync(row, WebhookDeliveryStatuses.Gone, attempts, error, null, now, cancellationToken);
                if (subscription is not null)
                {
                    await subscriptions.DisableAsync(subscription.Id, $"The endpoint answered 410 Gone to delivery {message.DeliveryId}.", cancellationToken);
                }

                LogGone(message.DeliveryId, message.SubscriptionId);
                return MessageOutcome.Completed;

            case WebhookPostStatus.Refused:
                await log.RecordAsync(row, WebhookDeliveryStatuses.Refused, attempts, error, null, now, cancellationToken);
                await MarkFailingAsync(subscription, $"Delivery {message.DeliveryId} was refused: {error}", cancellationToken);
                return MessageOutcome.Reject($"The destination is not allowed: {error}");

            default:
                var deferred = result.Status == WebhookPostStatus.Deferred;
                if (context.IsLastAttempt)
                {
                    await log.RecordAsync(row, WebhookDeliveryStatuses.Failed, attempts, error, null, now, cancellationToken);
                    await MarkFailingAsync(subscription, $"Delivery {message.DeliveryId} failed {context.Attempt} times; the last: {error}", cancellationToken);
                    return MessageOutcome.RetryLater(error);
                }

                var next = now + _schedule.DelayAfter(context.Attempt);
                var status = deferred ? WebhookDeliveryStatuses.Deferred : WebhookDeliveryStatuses.Retrying;
                await log.RecordAsync(row, status, attempts, error, next, now, cancellationToken);
                return MessageOutcome.RetryLater(deferred ? $"Deferred, the destination's circuit is open: {error}" : error);
        }
    }

    private async Task MarkFailingAsync(WebhookSubscriptionRow? subscription, string reason, CancellationToken cancellationToken)
    {
        if (subscription is not null)
        {
            await subscriptions.MarkFailingAsync(subscription.Id, reason, cancellationToken);
            LogFailing(subscription.Id, reason);
        }
    }

    private static string? Invalid(DeliverWebhook message)
    {
        if (!WebhookIds.IsDeliveryId(message.DeliveryId))
        {
            return "The deliveryId is not one this app makes.";
        }

        if (message.Event is not { Id.Length: > 0, Type.Length: > 0, Data.OrderId.Length: > 0 })
        {
            return "The event needs an id, a type and data.orderId.";
        }

        if (message.Round < 0)
        {
            return "The round cannot be negative.";
        }

        var target = message.IsCallback
            ? Uri.TryCreate(message.CallbackUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http"
                ? null
                : "A callback delivery needs an absolute http(s) callbackUrl."
            : WebhookIds.IsSubscriptionId(message.SubscriptionId) ? null : "The subscriptionId is not one this app makes.";

        // The order id names the callback's delivery log partition and the callback secret: a key, not free text.
        return target ?? (OrderIds.IsWellFormed(message.Event.Data.OrderId) ? null : "The event's data.orderId is not an order id.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} of {EventType} delivered after {AttemptCount} attempts")]
    private partial void LogDelivered(string deliveryId, string eventType, int attemptCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} round {Round} not posted: already {DeliveryStatus} in round {StoredRound}")]
    private partial void LogDuplicate(string deliveryId, int round, string deliveryStatus, int storedRound);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} dropped: webhook {WebhookId} is {WebhookStatus}")]
    private partial void LogNoLongerWanted(string deliveryId, string webhookId, string webhookStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId}: the endpoint is gone (410); webhook {WebhookId} disabled")]
    private partial void LogGone(string deliveryId, string webhookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} marked failing: {Reason}")]
    private partial void LogFailing(string webhookId, string reason);
}
