using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications;

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
        await ReadAsync(orderId, cancellationToken) is { } row && sequence <= row.GetInt64(LastSequence);

    /// <summary>Raises the mark to <paramref name="sequence"/> (never lowers it), guarded by the row's ETag.</summary>
    public async Task RecordAsync(string orderId, long sequence, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await ReadAsync(orderId, cancellationToken);
            if (row is not null && row.GetInt64(LastSequence) >= sequence)
            {
                return;
            }

            try
            {
                var update = new TableEntity(orderId, RowKey) { [LastSequence] = sequence };
                if (row is null)
                {
                    await _table.AddEntityAsync(update, cancellationToken);
                }
                else
                {
                    await _table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Replace, cancellationToken);
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
