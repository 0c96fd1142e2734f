using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// The outbox index (table <see cref="StorageTables.OutboxIndex"/>): one <see cref="OutboxPointer"/> per transaction that
/// wrote outbox rows, in the partition of the 10-second bucket it was written in, so the sweeper finds pending work by a
/// PartitionKey range (every bucket up to its cutoff, oldest first) instead of scanning the orders. Pointers live about
/// as long as one send: the relay deletes a pointer once its rows are sent, the sweeper once it has sent them.
/// </summary>
public sealed class OutboxIndex(TableServiceClient tables)
{
    public const string BucketPrefix = "outbox-";

    public const int BucketSeconds = 10;

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.OutboxIndex);

    /// <summary><c>outbox-yyyyMMddHHmmss</c> of the UTC time rounded down to <see cref="BucketSeconds"/>: text order is time order.</summary>
    public static string BucketOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var bucket = new DateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second - (utc.Second % BucketSeconds), DateTimeKind.Utc);
        return BucketPrefix + bucket.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Writes the pointer; true when this call created it. A pointer that exists already (false) covers the same rows: the
    /// same transaction tried again (an SDK resend, a retry after an ETag conflict) or the same carried message written
    /// again. It is not replaced, so whoever wrote it can still delete it by its ETag.
    /// </summary>
    public async Task<bool> PointAsync(OutboxPointer entry, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table.AddEntityAsync(entry, cancellationToken);
            entry.ETag = response.Headers.ETag ?? ETag.All;
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            entry.ETag = ETag.All;
            return false;
        }
    }

    /// <summary>
    /// Pointers written at or before <paramref name="cutoff"/>, oldest bucket first, page by page: a PartitionKey range,
    /// never a scan. Its cost is the pending pointers, whatever the number of orders.
    /// </summary>
    public IAsyncEnumerable<Page<OutboxPointer>> PendingAsync(DateTimeOffset cutoff, int pageSize, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {BucketPrefix} and PartitionKey le {BucketOf(cutoff)} and CreatedAt le {cutoff}");
        return Table.QueryAsync<OutboxPointer>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages();
    }

    /// <summary>When the oldest pointer was written (null: none), from the first entry of the oldest bucket (to within a bucket).</summary>
    public async Task<DateTimeOffset?> OldestAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {BucketPrefix} and PartitionKey lt {BucketPrefix + "~"}");
        await foreach (var page in Table.QueryAsync<OutboxPointer>(filter, maxPerPage: 1, select: [nameof(OutboxPointer.CreatedAt)], cancellationToken: cancellationToken).AsPages())
        {
            // An empty page with a continuation token can come first: read on until an entry or the end.
            if (page.Values.Count > 0)
            {
                return page.Values[0].CreatedAt;
            }
        }

        return null;
    }

    /// <summary>Deletes the pointer unless it was written again since it was read (then its new rows keep it).</summary>
    public async Task<bool> RemoveAsync(OutboxPointer entry, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, entry.ETag == default ? ETag.All : entry.ETag, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return ex.Status == 404;
        }
    }
}
