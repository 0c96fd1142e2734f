using System.Globalization;
using System.Reflection;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>
/// The open-orders index (table <see cref="StorageTables.OpenOrders"/>). The front door's one write is the order's entry
/// here (<see cref="HoldAsync"/>): it holds the whole order until the watchdog's first look (the order row is written
/// from it behind the 202, or by the first reader), and its key
/// (shard of the order id, order id) makes the insert the idempotency check. The watchdog finds the orders to look at by
/// one PartitionKey range over the <see cref="ShardCount"/> shards (<see cref="DueAsync"/>), never by scanning Orders.
/// Entries of orders taken before the shards sit in 5-minute due buckets (<see cref="DuePartition"/>) and are read the
/// same way until none is left. Orders that need a person are kept in one <see cref="NeedsAttentionPartition"/>, which the
/// ops endpoint lists.
/// </summary>
public sealed class OpenOrderIndex(TableServiceClient tables)
{
    public const string DuePrefix = "due-";

    /// <summary>The shards' prefix: sorts after every due bucket ('o' &gt; 'd'), so no due range reaches a shard.</summary>
    public const string OpenPrefix = "open-";

    /// <summary>Sorts before <see cref="DuePrefix"/> ('N' &lt; 'd'), so no due range ever reaches it.</summary>
    public const string NeedsAttentionPartition = "NeedsAttention";

    public const int BucketMinutes = 5;

    /// <summary>Partitions the entries are spread over: each takes a share of the front door's inserts.</summary>
    public const int ShardCount = 16;

    /// <summary>The first key after every shard ('.' follows '-').</summary>
    private const string OpenEnd = "open.";

    /// <summary>What the watchdog and the idempotency check read of an entry (never the order it may hold).</summary>
    private static readonly string[] EntryColumns =
    [
        nameof(ITableEntity.PartitionKey), nameof(ITableEntity.RowKey), nameof(ITableEntity.Timestamp),
        nameof(OpenOrderRow.DueAt), nameof(OpenOrderRow.HasOrder), nameof(OpenOrderRow.Closed),
        nameof(OpenOrderRow.RequestHash), nameof(OpenOrderRow.CreatedAt),
    ];

    /// <summary>The order row's fields that an entry holding the order carries (all but the keys and the ETag).</summary>
    private static readonly PropertyInfo[] OrderFields = typeof(OrderRow)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag)))
        .ToArray();

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.OpenOrders);

    /// <summary><c>open-NN</c>: the order id's FNV-1a hash modulo <see cref="ShardCount"/>, the same in every process.</summary>
    public static string OpenPartition(string orderId)
    {
        var hash = 2166136261u;
        foreach (var c in orderId)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return OpenPrefix + (hash % ShardCount).ToString("D2", CultureInfo.InvariantCulture);
    }

    /// <summary><c>due-yyyyMMddHHmm</c> of the UTC time rounded down to <see cref="BucketMinutes"/>: text order is time order.</summary>
    public static string DuePartition(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var bucket = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute - (utc.Minute % BucketMinutes), 0, DateTimeKind.Utc);
        return DuePrefix + bucket.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The front door's one write: the order's entry, holding the whole order, due at <paramref name="dueAt"/>. An insert,
    /// so a second one for the same order id fails with 409 (EntityAlreadyExists). It holds the order until the watchdog's
    /// first look, which finds the row written and keeps only what it reads (<see cref="RescheduleAsync"/>,
    /// <see cref="CloseAsync"/>).
    /// </summary>
    public async Task HoldAsync(OrderRow order, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(OpenPartition(order.OrderId), order.OrderId)
        {
            [nameof(OpenOrderRow.DueAt)] = dueAt,
            [nameof(OpenOrderRow.HasOrder)] = true,
        };
        foreach (var field in OrderFields)
        {
            if (field.GetValue(order) is { } value)
            {
                entity[field.Name] = value;
            }
        }

        await Table.AddEntityAsync(entity, cancellationToken);
    }

    /// <summary>The order's entry in its shard, without the order it may hold (null: none).</summary>
    public async Task<OpenOrderRow?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<OpenOrderRow>(OpenPartition(orderId), orderId, EntryColumns, cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Whether the order has an entry, and the order it holds, as its order row will be (PartitionKey = order id, no ETag):
    /// null when there is no entry, or it no longer holds the order (the watchdog's first look found the row written).
    /// </summary>
    public static async Task<(bool Exists, OrderRow? Held)> HeldOrderAsync(TableClient table, string orderId, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(OpenPartition(orderId), orderId, cancellationToken: cancellationToken);
        if (!response.HasValue || response.Value is not { } entity)
        {
            return (false, null);
        }

        if (entity.GetBoolean(nameof(OpenOrderRow.HasOrder)) != true)
        {
            return (true, null);
        }

        var order = new OrderRow { PartitionKey = orderId, RowKey = OrderRow.OrderRowKey };
        foreach (var field in OrderFields)
        {
            if (entity.TryGetValue(field.Name, out var value) && value is not null)
            {
                var type = Nullable.GetUnderlyingType(field.PropertyType) ?? field.PropertyType;
                field.SetValue(order, type.IsInstanceOfType(value) ? value : Convert.ChangeType(value, type, CultureInfo.InvariantCulture));
            }
        }

        return (true, order);
    }

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

    /// <summary>
    /// Entries due by <paramref name="now"/>, earliest first: one PartitionKey range over the shards (the entries of open
    /// orders and the closed ones of the idempotency window, never Orders) and one over the due buckets up to now.
    /// </summary>
    public async Task<IReadOnlyList<OpenOrderRow>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var shards = TableClient.CreateQueryFilter($"PartitionKey ge {OpenPrefix} and PartitionKey lt {OpenEnd} and DueAt le {now}");
        var buckets = TableClient.CreateQueryFilter($"PartitionKey ge {DuePrefix} and PartitionKey le {DuePartition(now)} and DueAt le {now}");
        var due = await Task.WhenAll(QueryAsync(shards, max, cancellationToken), QueryAsync(buckets, max, cancellationToken));
        return [.. due.SelectMany(entries => entries).OrderBy(entry => entry.DueAt).Take(max)];
    }

    /// <summary>
    /// Looks at the order again at <paramref name="dueAt"/>. Called once the order row is known to exist, so the entry keeps
    /// only what the watchdog reads. An entry in a due bucket moves to its shard (written before the old one goes, so none
    /// is lost).
    /// </summary>
    public async Task RescheduleAsync(OpenOrderRow entry, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        if (entry.IsInDueBucket)
        {
            await Table.UpsertEntityAsync(EntryFor(entry.OrderId, dueAt, entry.RequestHash, entry.CreatedAt), TableUpdateMode.Merge, cancellationToken);
            await UntrackAsync(entry, cancellationToken);
            return;
        }

        await ReplaceAsync(entry, EntryFor(entry.OrderId, dueAt, entry.RequestHash, entry.CreatedAt), cancellationToken);
    }

    /// <summary>
    /// The order ended. A keyed order's entry stays, closed, until <paramref name="keyKeptUntil"/> (its idempotency window),
    /// so that a repeat of its key is still answered with it; any other entry goes.
    /// </summary>
    public Task CloseAsync(OpenOrderRow entry, DateTimeOffset? keyKeptUntil, CancellationToken cancellationToken) =>
        keyKeptUntil is { } until && !entry.IsInDueBucket && entry.RequestHash is not null
            ? ReplaceAsync(entry, EntryFor(entry.OrderId, until, entry.RequestHash, entry.CreatedAt, closed: true), cancellationToken)
            : UntrackAsync(entry, cancellationToken);

    /// <summary>Removes the entry, unless someone changed it since it was read (then the next run decides again).</summary>
    public async Task UntrackAsync(OpenOrderRow entry, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, entry.ETag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or changed since it was read: nothing to remove now.
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

    private static OpenOrderRow EntryFor(string orderId, DateTimeOffset dueAt, string? requestHash, DateTimeOffset? createdAt, bool closed = false) =>
        new() { PartitionKey = OpenPartition(orderId), RowKey = orderId, DueAt = dueAt, RequestHash = requestHash, CreatedAt = createdAt, Closed = closed };

    /// <summary>Replaces the entry, unless someone changed it since it was read (then the next run decides again).</summary>
    private async Task ReplaceAsync(OpenOrderRow entry, OpenOrderRow replacement, CancellationToken cancellationToken)
    {
        try
        {
            await Table.UpdateEntityAsync(replacement, entry.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or changed since it was read: the next run decides again.
        }
    }

    private async Task<List<OpenOrderRow>> QueryAsync(string filter, int max, CancellationToken cancellationToken)
    {
        var entries = new List<OpenOrderRow>(Math.Min(max, 1000));
        await foreach (var entry in Table.QueryAsync<OpenOrderRow>(filter, maxPerPage: Math.Min(max, 1000), select: EntryColumns, cancellationToken: cancellationToken))
        {
            entries.Add(entry);
            if (entries.Count >= max)
            {
                break;
            }
        }

        return entries;
    }
}
