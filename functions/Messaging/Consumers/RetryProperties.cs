using System.Globalization;
using Azure.Messaging.ServiceBus;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// Application properties that a scheduled retry copy carries, and how a received message is read back.
/// </summary>
public static class RetryProperties
{
    /// <summary>Which attempt this delivery is (int); absent on the first.</summary>
    public const string Attempt = "attempt";

    /// <summary>
    /// The logical message id (string). A copy needs its own <c>MessageId</c>, or duplicate detection (on for every
    /// entity) would drop it; handlers still see this one in <see cref="MessageContext.MessageId"/>.
    /// </summary>
    public const string OriginalMessageId = "originalMessageId";

    /// <summary>
    /// On a copy sent to a topic: the one subscription that should receive it. Every subscription of a topic whose
    /// consumers use <see cref="MessagePipeline"/> therefore has the SQL filter
    /// <c>(retryFor IS NULL OR retryFor = '&lt;its name&gt;') AND &lt;its type filter&gt;</c> (docs/messaging.md).
    /// </summary>
    public const string RetryFor = "retryFor";

    /// <summary>
    /// On a resubmitted dead letter and its retry copies: which replay of the logical message it is (int, from 1). Its retry
    /// copies are named after it, so that they do not reuse the ids of the original's retry copies (<see cref="RetryCopy"/>).
    /// </summary>
    public const string Replay = "replay";

    /// <summary>The attempt number: the <see cref="Attempt"/> property (int, long or digits), else 1.</summary>
    public static int AttemptOf(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (int)Math.Clamp(NumberOf(message, Attempt) ?? 1, 1, int.MaxValue);
    }

    /// <summary>The replay number: the <see cref="Replay"/> property (int, long or digits), else 0 (never replayed).</summary>
    public static int ReplayOf(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (int)Math.Clamp(NumberOf(message, Replay) ?? 0, 0, int.MaxValue);
    }

    /// <summary>The logical id: the <see cref="OriginalMessageId"/> property on a copy, else the message's own id.</summary>
    public static string LogicalMessageIdOf(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.ApplicationProperties.TryGetValue(OriginalMessageId, out var value) && value is string { Length: > 0 } id
            ? id
            : message.MessageId;
    }

    private static long? NumberOf(ServiceBusReceivedMessage message, string property) =>
        message.ApplicationProperties.TryGetValue(property, out var value)
            ? value switch
            {
                int number => number,
                long number => number,
                string text when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
                _ => null,
            }
            : null;
}
