using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>
/// The open-orders index (table <see cref="StorageTables.OpenOrders"/>): intake writes an entry for every order before
/// the order's transaction, in the partition of the 5-minute bucket it falls due in, so the watchdog finds the orders
/// to look at by a PartitionKey range (every bucket up to now) instead of scanning Orders. Orders that need a person are
/// kept in one <see cref="NeedsAttentionPartition"/>, which the ops endpoint lists.
/// </summary>
public sealed class OpenOrderIndex(TableServiceClient tables)
{
    public const string DuePrefix = "due-";

    /// <summary>Sorts before <see cref="DuePrefix"/> ('N' &lt; 'd'), so no due range ever reaches it.</summary>
    public const string NeedsAttentionPartition = "NeedsAttention";

    public const int BucketMinutes = 5;

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.OpenOrders);

    /// <summary><c>due-yyyyMMddHHmm</c> of the UTC time rounded down to <see cref="BucketMinutes"/>: text order is time order.</summary>
    public static string DuePartition(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var bucket = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute - (utc.Minute % BucketMinutes), 0, DateTimeKind.Utc);
        return DuePrefix + bucket.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    /// <summary>Looks at the order again at <paramref name="dueAt"/> (an upsert: tracking twice in one bucket is one entry).</summary>
    public Task TrackAsync(string orderId, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(
            new OpenOrderRow { PartitionKey = DuePartition(dueAt), RowKey = orderId, DueAt = dueAt },
            TableUpdateMode.Replace,
            cancellationToken);

    /// <summary>
    /// Lists the order for the ops endpoint. Idempotent: the first flag and its reason stay, a repeat changes nothing.
    /// </summary>
    public async Task FlagNeedsAttentionAsync(string orderId, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(new NeedsAttentionRow { RowKey = orderId, Reason = reason, FlaggedAt = at }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Flagged before.
        }
    }

    /// <summary>Entries due by <paramref name="now"/>, oldest bucket first: a PartitionKey range, never a scan.</summary>
    public async Task<IReadOnlyList<OpenOrderRow>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {DuePrefix} and PartitionKey le {DuePartition(now)} and DueAt le {now}");
        var due = new List<OpenOrderRow>(Math.Min(max, 1000));
        await foreach (var entry in Table.QueryAsync<OpenOrderRow>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            due.Add(entry);
            if (due.Count >= max)
            {
                break;
            }
        }

        return due;
    }

    /// <summary>Moves the entry to a later bucket: the new entry is written before the old one goes, so none is lost.</summary>
    public async Task RescheduleAsync(OpenOrderRow entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        await TrackAsync(entry.OrderId, dueAt, cancellationToken);
        if (DuePartition(dueAt) != entry.PartitionKey)
        {
            await UntrackAsync(entry, cancellationToken);
        }
    }

    /// <summary>Removes the entry, unless someone changed it since it was read (then the next run decides again).</summary>
    public async Task UntrackAsync(OpenOrderRow entry, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, entry.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or tracked again in the same bucket since: nothing to remove.
        }
    }

    /// <summary>One page of the orders that need attention, by order id, after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<NeedsAttentionRow>> NeedsAttentionAsync(int max, string? after, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {NeedsAttentionPartition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {NeedsAttentionPartition} and RowKey gt {after}");
        var page = new List<NeedsAttentionRow>(max);
        await foreach (var entry in Table.QueryAsync<NeedsAttentionRow>(filter, maxPerPage: max, cancellationToken: cancellationToken))
        {
            page.Add(entry);
            if (page.Count >= max)
            {
                break;
            }
        }

        return page;
    }
}
