using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Shop.Functions.Messaging;

/// <summary>
/// A message ready for Service Bus. <see cref="MessageId"/> is deterministic (e.g. <c>PlaceOrder:{orderId}</c>)
/// so duplicate detection absorbs a resend; <see cref="Subject"/> is the message type and
/// <see cref="CorrelationId"/> the order id. The body is always JSON.
/// </summary>
public sealed record OutgoingMessage(string Destination, string MessageId, string Subject, string CorrelationId, BinaryData Body)
{
    public const string JsonContentType = "application/json";

    /// <summary>The body's content type; a retry copy keeps its original's.</summary>
    public string? ContentType { get; init; } = JsonContentType;

    /// <summary>When set, Service Bus holds the message until then (a retry's delay). Not kept by the outbox.</summary>
    public DateTimeOffset? ScheduledEnqueueTime { get; init; }

    /// <summary>Application properties (string, int, long, bool, ... values). Not kept by the outbox.</summary>
    public IReadOnlyDictionary<string, object>? ApplicationProperties { get; init; }

    /// <summary>
    /// The W3C trace context the message was created under (<see cref="MessageTrace"/>): sent as its Diagnostic-Id and
    /// traceparent application properties, and kept by the outbox.
    /// </summary>
    public string? TraceParent { get; init; } = MessageTrace.Current();

    /// <summary>
    /// The one envelope every command and event the app sends is built with: <paramref name="body"/> serialized as JSON
    /// by its source-generated <paramref name="type"/>, the given deterministic id, the message type as Subject, and the
    /// order (or reorder) id as CorrelationId.
    /// </summary>
    public static OutgoingMessage Json<T>(string destination, string messageId, string subject, string correlationId, T body, JsonTypeInfo<T> type) =>
        new(destination, messageId, subject, correlationId, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(body, type)));
}

/// <summary>Sends one message to a queue or topic. The app uses Service Bus; tests use an in-process stand-in.</summary>
public interface IMessageSender
{
    Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken);
}
