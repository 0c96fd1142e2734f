namespace Shop.Functions.Messaging.Consumers;

/// <summary>The <c>DeadLetterReason</c> values the consumers set (docs/architecture.md, "Rules every consumer follows").</summary>
public static class DeadLetterReasons
{
    /// <summary>The body could not be read as the handler's message type.</summary>
    public const string MalformedMessage = nameof(MalformedMessage);

    /// <summary>The <c>Subject</c> is not a message type the consumer handles.</summary>
    public const string UnknownMessageType = nameof(UnknownMessageType);

    /// <summary>The handler rejected the message: it can never succeed.</summary>
    public const string ValidationFailed = nameof(ValidationFailed);

    /// <summary>The system the handler delivers to refused the message for good (an SMTP server's 5xx for the recipient).</summary>
    public const string DeliveryRefused = nameof(DeliveryRefused);

    /// <summary>The handler failed on every attempt of the retry schedule.</summary>
    public const string RetriesExhausted = nameof(RetriesExhausted);
}
