namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// What a handler learned about the message's delivery. <see cref="MessageId"/> is the logical id: the same on
/// every attempt, although each scheduled retry copy travels under its own Service Bus id (see
/// <see cref="RetryProperties"/>), so handlers can key idempotency on it. <see cref="Attempt"/> starts at 1;
/// <see cref="MaxAttempts"/> is the consumer's budget, after which a failure is dead-lettered.
/// </summary>
public sealed record MessageContext(string MessageId, string Subject, string? CorrelationId, int Attempt, DateTimeOffset EnqueuedTime, int MaxAttempts = int.MaxValue)
{
    /// <summary>A failure now is final: the message will be dead-lettered rather than tried again.</summary>
    public bool IsLastAttempt => Attempt >= MaxAttempts;
}
