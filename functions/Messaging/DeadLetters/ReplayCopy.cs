using System.Security.Cryptography;
using System.Text;
using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// What a replay sends for a dead letter (docs/messaging.md, "Resubmitting dead letters"): the same body, subject,
/// correlation id, content type and application properties, to the queue it came from or, for a subscription, to the
/// topic with <c>retryFor</c> = the subscription (always: a message dead-lettered on its first attempt has none, and
/// without it every subscription would get the copy). Removed: <c>attempt</c> (the copy gets a fresh retry budget) and
/// Service Bus's <c>DeadLetterReason</c>/<c>DeadLetterErrorDescription</c>. Set: <c>originalMessageId</c> = the logical
/// id, so handlers' idempotency sees the same message, and <c>replay</c> = which replay of it this is.
/// </summary>
internal static class ReplayCopy
{
    internal const string DeadLetterReasonProperty = "DeadLetterReason";
    internal const string DeadLetterDescriptionProperty = "DeadLetterErrorDescription";

    private const int MaxMessageIdLength = 128;

    public static OutgoingMessage Create(ConsumerEntity entity, ServiceBusReceivedMessage deadLetter)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(deadLetter);
        var logicalId = RetryProperties.LogicalMessageIdOf(deadLetter);
        var replay = RetryProperties.ReplayOf(deadLetter) + 1;
        var properties = new Dictionary<string, object>(deadLetter.ApplicationProperties, StringComparer.Ordinal)
        {
            [RetryProperties.OriginalMessageId] = logicalId,
            [RetryProperties.Replay] = replay,
        };
        properties.Remove(RetryProperties.Attempt);
        properties.Remove(DeadLetterReasonProperty);
        properties.Remove(DeadLetterDescriptionProperty);
        if (entity.Subscription is { } subscription)
        {
            properties[RetryProperties.RetryFor] = subscription;
        }

        return new OutgoingMessage(
            entity.EntityPath,
            MessageId(logicalId, entity.Subscription, replay),
            deadLetter.Subject,
            deadLetter.CorrelationId ?? string.Empty,
            deadLetter.Body)
        {
            ContentType = deadLetter.ContentType,
            ApplicationProperties = properties,
        };
    }

    /// <summary>
    /// <c>{id}#replay{n}</c>, or <c>{id}#{subscription}#replay{n}</c>. Not the original's id, nor a retry copy's: those may
    /// still be in the duplicate-detection window (up to 7 days), and a copy under one of them would be dropped without a
    /// word. Per subscription, because every subscription's replays go to the same topic. Deterministic: a replay repeated
    /// after its copy was sent but before the dead letter was completed sends a duplicate, which Service Bus drops.
    /// </summary>
    internal static string MessageId(string logicalId, string? subscription, int replay)
    {
        var suffix = subscription is null ? $"#replay{replay}" : $"#{subscription}#replay{replay}";
        if (logicalId.Length + suffix.Length <= MaxMessageIdLength)
        {
            return logicalId + suffix;
        }

        // Service Bus allows 128 characters: keep a readable prefix and a hash of the whole logical id (as RetryCopy does).
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(logicalId)), 0, 8);
        var prefix = logicalId[..Math.Max(0, MaxMessageIdLength - suffix.Length - hash.Length - 1)];
        return $"{prefix}~{hash}{suffix}";
    }
}
