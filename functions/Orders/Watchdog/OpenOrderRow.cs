using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>
/// An order the watchdog will look at: PartitionKey = its shard (<see cref="OpenOrderIndex.OpenPartition"/>), RowKey = the
/// order id. Written by the front door as the order's only write, holding the whole order (<see cref="HasOrder"/>), whose
/// row is written from it behind the 202; from the watchdog's first look on, only what the watchdog and the idempotency
/// check read. Once the order
/// ended, a keyed order's entry stays <see cref="Closed"/> until its idempotency window ends, so that its key is still
/// known to the front door. Entries written before the shards (PartitionKey = a due bucket,
/// <see cref="OpenOrderIndex.DuePartition"/>) are read until none is left. The watchdog never reads the Orders table to
/// find them.
/// </summary>
public sealed class OpenOrderRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>When the watchdog looks at the order next; for a <see cref="Closed"/> entry, when it goes.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>True while the entry holds the order's fields (the order row may not be written yet).</summary>
    public bool HasOrder { get; set; }

    /// <summary>The order ended: the entry only remembers its idempotency key (<see cref="RequestHash"/>) until <see cref="DueAt"/>.</summary>
    public bool Closed { get; set; }

    /// <summary>The order's request hash (null on entries from before the shards): what a repeated key is compared with.</summary>
    public string? RequestHash { get; set; }

    /// <summary>When the order was accepted (null on entries from before the shards).</summary>
    public DateTimeOffset? CreatedAt { get; set; }

    public string OrderId => RowKey;

    /// <summary>Written before the shards, in a due bucket.</summary>
    public bool IsInDueBucket => PartitionKey.StartsWith(OpenOrderIndex.DuePrefix, StringComparison.Ordinal);
}

/// <summary>An order that needs a person: PartitionKey = <see cref="OpenOrderIndex.NeedsAttentionPartition"/>, RowKey = the order id.</summary>
public sealed class NeedsAttentionRow : ITableEntity
{
    public string PartitionKey { get; set; } = OpenOrderIndex.NeedsAttentionPartition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Reason { get; set; } = string.Empty;

    public DateTimeOffset FlaggedAt { get; set; }

    public string OrderId => RowKey;
}
