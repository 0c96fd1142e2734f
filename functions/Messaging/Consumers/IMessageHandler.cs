using System.Text.Json.Serialization.Metadata;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// Handles one kind of message for <see cref="MessagePipeline"/>, knowing nothing of Functions or settlement.
/// Must be idempotent: the same logical message can arrive more than once.
/// </summary>
public interface IMessageHandler<T>
    where T : class
{
    /// <summary>The message types (Service Bus <c>Subject</c>) it accepts; any other is dead-lettered.</summary>
    IReadOnlyCollection<string> Subjects { get; }

    /// <summary>How to read the body, from <c>ShopJsonContext</c>.</summary>
    JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>Returns an outcome; throws for a transient failure (the pipeline retries later).</summary>
    Task<MessageOutcome> HandleAsync(T message, MessageContext context, CancellationToken cancellationToken);
}
