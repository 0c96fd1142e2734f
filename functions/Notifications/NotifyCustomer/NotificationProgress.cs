using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications.NotifyCustomer;

/// <summary>
/// The highest order sequence the customer has been e-mailed about, one row per order in the <c>Inbox</c> table
/// (PartitionKey = order id, RowKey = <see cref="RowKey"/>). An event at or below it is stale: it was e-mailed
/// already, or a later state of the order was, so it changes nothing.
/// </summary>
public sealed class NotificationProgress(TableServiceClient tables)
{
    public const string RowKey = "notifications";
    private const string LastSequence = nameof(LastSequence);
    private const int MaxConcurrencyRetries = 5;

    private readonly TableClient _table = tables.GetTableClient(StorageTables.Inbox);

    public async Task<bool> IsStaleAsync(string orderId, long sequence, CancellationToken cancellationToken) =>
        (await ReadMarkAsync(orderId, cancellationToken)).Covers(sequence);

    /// <summary>The mark as stored now (one point read), for <see cref="RecordAsync(string, long, NotificationMark?, CancellationToken)"/> to reuse.</summary>
    public async Task<NotificationMark> ReadMarkAsync(string orderId, CancellationToken cancellationToken) =>
        await ReadAsync(orderId, cancellationToken) is { } row ? new NotificationMark(row.GetInt64(LastSequence), row.ETag, Exists: true) : NotificationMark.None;

    /// <summary>Raises the mark to <paramref name="sequence"/> (never lowers it), guarded by the row's ETag.</summary>
    public Task RecordAsync(string orderId, long sequence, CancellationToken cancellationToken) =>
        RecordAsync(orderId, sequence, null, cancellationToken);

    /// <summary>
    /// As <see cref="RecordAsync(string, long, CancellationToken)"/>, starting from <paramref name="known"/> (read by the
    /// caller before it sent the e-mail) instead of reading again: the write is conditional on it (its ETag, or the row's
    /// absence), so a mark moved meanwhile is read again and decided on.
    /// </summary>
    public async Task RecordAsync(string orderId, long sequence, NotificationMark? known, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var mark = attempt == 1 && known is not null ? known : await ReadMarkAsync(orderId, cancellationToken);
            if (mark.Covers(sequence))
            {
                return;
            }

            try
            {
                var update = new TableEntity(orderId, RowKey) { [LastSequence] = sequence };
                if (!mark.Exists)
                {
                    await _table.AddEntityAsync(update, cancellationToken);
                }
                else
                {
                    await _table.UpdateEntityAsync(update, mark.ETag, TableUpdateMode.Replace, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxConcurrencyRetries)
            {
                // Another event of the same order moved the mark meanwhile: read it again.
            }
        }
    }

    private async Task<TableEntity?> ReadAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(orderId, RowKey, [LastSequence], cancellationToken);
        return response.HasValue ? response.Value : null;
    }
}

/// <summary>The e-mailed mark of one order as read: the highest sequence, the row's ETag, and whether there is a row.</summary>
public sealed record NotificationMark(long? LastSequence, ETag ETag, bool Exists)
{
    public static NotificationMark None { get; } = new(null, default, Exists: false);

    public bool Covers(long sequence) => LastSequence >= sequence;
}
