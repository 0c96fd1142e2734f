using System.Globalization;
using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Platform.Retention;

/// <summary>
/// Finished orders by the UTC day they ended (table <see cref="StorageTables.FinishedOrders"/>): PartitionKey =
/// <c>done-yyyyMMdd</c>, RowKey = the order id. <see cref="Orders.OrderProgress"/> writes the entry just before the
/// order's terminal write, so retention finds the orders whose bookkeeping may go by a PartitionKey range (every day
/// before the cut-off), never by scanning Orders.
/// </summary>
public sealed class FinishedOrderIndex(TableServiceClient tables)
{
    public const string DayPrefix = "done-";

    public TableClient Table { get; } = tables.GetTableClient(StorageTables.FinishedOrders);

    /// <summary><c>done-yyyyMMdd</c> of the UTC day: text order is time order.</summary>
    public static string DayPartition(DateTimeOffset at) =>
        DayPrefix + at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Records that the order ends at <paramref name="at"/> (an upsert: a retried terminal write is one entry).</summary>
    public Task TrackAsync(string orderId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(
            new FinishedOrderRow { PartitionKey = DayPartition(at), RowKey = orderId, FinishedAt = at },
            TableUpdateMode.Replace,
            cancellationToken);

    /// <summary>Entries of the days wholly before <paramref name="cutoff"/>'s day, oldest first: a PartitionKey range.</summary>
    public async Task<IReadOnlyList<FinishedOrderRow>> BeforeAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {DayPrefix} and PartitionKey lt {DayPartition(cutoff)}");
        var entries = new List<FinishedOrderRow>(Math.Min(max, 1000));
        await foreach (var entry in Table.QueryAsync<FinishedOrderRow>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            entries.Add(entry);
            if (entries.Count >= max)
            {
                break;
            }
        }

        return entries;
    }

    public async Task RemoveAsync(FinishedOrderRow entry, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Removed by another run.
        }
    }
}

/// <summary>An order that ended: PartitionKey = its day (<see cref="FinishedOrderIndex.DayPartition"/>), RowKey = the order id.</summary>
public sealed class FinishedOrderRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset FinishedAt { get; set; }

    public string OrderId => RowKey;
}
