using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Messaging;

/// <summary>
/// A message waiting to be sent, stored in its aggregate's partition so that it commits in the same
/// Table transaction as the change that caused it. Deleted once sent.
/// </summary>
public sealed class OutboxRow : ITableEntity
{
    public const string RowKeyPrefix = "outbox|";

    // '}' sorts right after '|': [prefix, end) is exactly the outbox rows of a partition.
    internal const string RowKeyEnd = "outbox}";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Destination { get; set; } = string.Empty;

    public string MessageId { get; set; } = string.Empty;

    public string Subject { get; set; } = string.Empty;

    public string CorrelationId { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The trace context of the change that wrote the row, so a sweeper resend continues the order's trace.</summary>
    public string? TraceParent { get; set; }

    public static OutboxRow For(string partitionKey, OutgoingMessage message, DateTimeOffset createdAt) => new()
    {
        PartitionKey = partitionKey,
        RowKey = RowKeyPrefix + message.MessageId,
        Destination = message.Destination,
        MessageId = message.MessageId,
        Subject = message.Subject,
        CorrelationId = message.CorrelationId,
        Body = message.Body.ToString(),
        CreatedAt = createdAt,
        TraceParent = MessageTrace.Of(message),
    };

    public OutgoingMessage ToMessage() => new(Destination, MessageId, Subject, CorrelationId, BinaryData.FromString(Body)) { TraceParent = TraceParent };
}
