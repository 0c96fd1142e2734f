namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// What a handler learned about the message's delivery. <see cref="MessageId"/> is the logical id: the same on
/// every attempt, although each scheduled retry copy travels under its own Service Bus id (see
/// <see cref="RetryProperties"/>), so handlers can key idempotency on it. <see cref="Attempt"/> starts at 1.
/// </summary>
public sealed record MessageContext(string MessageId, string Subject, string? CorrelationId, int Attempt, DateTimeOffset EnqueuedTime);
