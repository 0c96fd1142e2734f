using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>
/// An order the watchdog will look at: PartitionKey = its due bucket (<see cref="OpenOrderIndex.DuePartition"/>),
/// RowKey = the order id. The watchdog reads due buckets only, never the Orders table.
/// </summary>
public sealed class OpenOrderRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public string OrderId => RowKey;
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
