using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Messaging;

/// <summary>
/// Says "a transaction in partition <see cref="Partition"/> of <see cref="Table"/> wrote outbox rows at <see cref="CreatedAt"/>":
/// PartitionKey = the 10-second bucket of <see cref="CreatedAt"/> (<see cref="OutboxIndex.BucketOf"/>), RowKey =
/// <c>{partition}|{first message id}</c>, one per transaction. A saga step writes it only when a send of its committed
/// rows failed; the writers no watchdog covers write it BEFORE their transaction (docs/messaging.md, "Saga steps: the
/// pointer only when a send fails"). Deleted once its rows are sent.
/// <para>
/// A pointer that <see cref="Carries"/> a message is the message itself: the submit's PlaceOrder is not stored with the
/// order (the order row is one insert), and only when its send fails does the relay write it here, after the order
/// committed, for the sweeper to send (<see cref="Carrying"/>).
/// </para>
/// </summary>
public sealed class OutboxPointer : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>The table whose partition holds the outbox rows.</summary>
    public string Table { get; set; } = string.Empty;

    /// <summary>The partition (the order id) that holds the outbox rows.</summary>
    public string Partition { get; set; } = string.Empty;

    /// <summary>The queues and topics the rows go to, comma-separated: a run skips a pointer whose destinations all refuse.</summary>
    public string Destinations { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The carried message's id, subject, correlation id, JSON body and trace context (null: it points at rows).</summary>
    public string? MessageId { get; set; }

    public string? Subject { get; set; }

    public string? CorrelationId { get; set; }

    public string? Body { get; set; }

    public string? TraceParent { get; set; }

    /// <summary>True when the pointer is a message of its own rather than a pointer at outbox rows in a partition.</summary>
    public bool Carries => Body is not null;

    public string[] DestinationList() => Destinations.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The pointer for outbox rows about to be written in one transaction (all in one partition, created at the same time).</summary>
    public static OutboxPointer For(string table, IReadOnlyList<OutboxRow> rows)
    {
        ArgumentOutOfRangeException.ThrowIfZero(rows.Count);
        var first = rows[0];
        return new OutboxPointer
        {
            PartitionKey = OutboxIndex.BucketOf(first.CreatedAt),
            RowKey = first.PartitionKey + "|" + first.MessageId,
            Table = table,
            Partition = first.PartitionKey,
            Destinations = string.Join(',', rows.Select(row => row.Destination).Distinct(StringComparer.Ordinal)),
            CreatedAt = first.CreatedAt,
        };
    }

    /// <summary>A pointer that carries <paramref name="row"/> (a message that was never stored in its partition).</summary>
    public static OutboxPointer Carrying(string table, OutboxRow row) => new()
    {
        PartitionKey = OutboxIndex.BucketOf(row.CreatedAt),
        RowKey = row.PartitionKey + "|" + row.MessageId,
        Table = table,
        Partition = row.PartitionKey,
        Destinations = row.Destination,
        CreatedAt = row.CreatedAt,
        MessageId = row.MessageId,
        Subject = row.Subject,
        CorrelationId = row.CorrelationId,
        Body = row.Body,
        TraceParent = row.TraceParent,
    };

    /// <summary>The carried message as the outbox row it stands for (not stored anywhere: nothing to delete once sent).</summary>
    public OutboxRow CarriedRow()
    {
        if (!Carries)
        {
            throw new InvalidOperationException($"Pointer {RowKey} carries no message.");
        }

        return new OutboxRow
        {
            PartitionKey = Partition,
            RowKey = OutboxRow.RowKeyPrefix + MessageId,
            Destination = Destinations,
            MessageId = MessageId!,
            Subject = Subject ?? string.Empty,
            CorrelationId = CorrelationId ?? string.Empty,
            Body = Body!,
            CreatedAt = CreatedAt,
            TraceParent = TraceParent,
        };
    }
}
