using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Messaging;

/// <summary>
/// Says "a transaction in partition <see cref="Partition"/> of <see cref="Table"/> wrote outbox rows at <see cref="CreatedAt"/>":
/// PartitionKey = the 10-second bucket of <see cref="CreatedAt"/> (<see cref="OutboxIndex.BucketOf"/>), RowKey =
/// <c>{partition}|{first message id}</c>, one per transaction. Written BEFORE that transaction (docs/messaging.md, "The
/// outbox index"), deleted once its rows are sent.
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

    public string[] DestinationList() => Destinations.Split(',', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The pointer for outbox rows about to be written in one transaction (all in one partition, created at the same time).</summary>
    public static OutboxPointer For(string table, IReadOnlyList<OutboxEntity> rows)
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
}
