using System.Security.Cryptography;
using System.Text;
using Azure.Messaging.ServiceBus;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// The copy of a failed message that comes back later as the next attempt: same body, subject, correlation id,
/// content type and application properties, scheduled for later, under a message id of its own.
/// </summary>
internal static class RetryCopy
{
    private const int MaxMessageIdLength = 128;

    public static OutgoingMessage Create(
        ConsumerEntity entity, ServiceBusReceivedMessage message, MessageContext context, DateTimeOffset enqueueAt)
    {
        var nextAttempt = context.Attempt + 1;
        var properties = new Dictionary<string, object>(message.ApplicationProperties, StringComparer.Ordinal)
        {
            [RetryProperties.Attempt] = nextAttempt,
            [RetryProperties.OriginalMessageId] = context.MessageId,
        };
        if (entity.Subscription is { } subscription)
        {
            properties[RetryProperties.RetryFor] = subscription;
        }

        return new OutgoingMessage(
            entity.EntityPath,
            MessageId(ChainIdOf(message, context.MessageId), entity.Subscription, nextAttempt),
            message.Subject,
            message.CorrelationId ?? string.Empty,
            message.Body)
        {
            ContentType = message.ContentType,
            ScheduledEnqueueTime = enqueueAt,
            ApplicationProperties = properties,
        };
    }

    /// <summary>
    /// What a chain of retries is named after: the logical id, or <c>{id}#replay{n}</c> for a resubmitted dead letter. The
    /// original's copies (<c>{id}#retry2</c>, ...) may still be in the duplicate-detection window when the replay fails, and
    /// a replay's copy under the same id would be dropped, losing the message.
    /// </summary>
    private static string ChainIdOf(ServiceBusReceivedMessage message, string logicalId) =>
        RetryProperties.ReplayOf(message) is var replay and > 0 ? $"{logicalId}#replay{replay}" : logicalId;

    /// <summary>
    /// <c>{id}#retry{n}</c>, or <c>{id}#{subscription}#retry{n}</c>: distinct from the original and from every other
    /// attempt, so duplicate detection keeps it; and distinct per subscription, because all subscriptions' copies go
    /// to the same topic, whose duplicate detection would otherwise keep only the first. Deterministic, so a
    /// redelivered original that fails again does not start a second chain of retries.
    /// </summary>
    internal static string MessageId(string logicalId, string? subscription, int attempt)
    {
        var suffix = subscription is null ? $"#retry{attempt}" : $"#{subscription}#retry{attempt}";
        if (logicalId.Length + suffix.Length <= MaxMessageIdLength)
        {
            return logicalId + suffix;
        }

        // Service Bus allows 128 characters: keep a readable prefix and a hash of the whole logical id.
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(logicalId)), 0, 8);
        var prefix = logicalId[..Math.Max(0, MaxMessageIdLength - suffix.Length - hash.Length - 1)];
        return $"{prefix}~{hash}{suffix}";
    }
}
