using Azure;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.NotifyCustomer;
using Shop.Functions.Orders;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Platform.Retention;

/// <summary>What one retention run removed.</summary>
public sealed record RetentionRun(int InstancesPurged, int OrdersCleaned, int BookkeepingRowsDeleted, int DeliveryRowsDeleted, int Failed);

/// <summary>
/// Ages out what can no longer matter (docs/retention.md): finished Durable instances older than
/// <see cref="RetentionOptions.InstanceRetention"/> (never a running one), the bookkeeping rows of orders that ended
/// more than <see cref="RetentionOptions.BookkeepingRetention"/> ago, found through <see cref="FinishedOrderIndex"/>, and
/// webhook delivery-log rows older than <see cref="RetentionOptions.DeliveryLogRetention"/>, found by their time-ordered
/// keys. Every query is a PartitionKey range or a key range in one partition: nothing scans Orders. Orders stay.
/// </summary>
public sealed partial class RetentionJanitor(
    FinishedOrderIndex finished,
    OrderStore orders,
    WebhookSubscriptionStore subscriptions,
    TableServiceClient tables,
    IOptions<RetentionOptions> options,
    TimeProvider time,
    ILogger<RetentionJanitor> logger)
{
    /// <summary>The statuses a purge may remove: Running, Pending and Suspended instances are never among them.</summary>
    public static readonly IReadOnlyList<OrchestrationRuntimeStatus> FinishedStatuses =
        [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated];

    /// <summary>
    /// The start of the purge's creation-time range: before any instance of Shop. The range needs a start: the Azure
    /// Storage backend's purge takes one, and some gRPC sidecars (the test engine's) fail on a missing one.
    /// </summary>
    public static readonly DateTimeOffset EarliestCreated = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const int MaxBatch = 100;

    private readonly TableClient _inbox = tables.GetTableClient(StorageTables.Inbox);
    private readonly TableClient _deliveries = tables.GetTableClient(StorageTables.WebhookDeliveries);

    public async Task<RetentionRun> RunAsync(DurableTaskClient client, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var purged = await PurgeInstancesAsync(client, now - settings.InstanceRetention, cancellationToken);
        var (cleaned, bookkeeping, failed) = await CleanFinishedOrdersAsync(now - settings.BookkeepingRetention, settings.MaxOrdersPerRun, cancellationToken);
        var deliveries = await TrimDeliveryLogsAsync(now - settings.DeliveryLogRetention, settings.MaxDeliveryRowsPerRun, cancellationToken);
        var run = new RetentionRun(purged, cleaned, bookkeeping, deliveries, failed);
        LogRun(run.InstancesPurged, run.OrdersCleaned, run.BookkeepingRowsDeleted, run.DeliveryRowsDeleted, run.Failed);
        return run;
    }

    /// <summary>Purges finished instances created before <paramref name="createdBefore"/>, with their history.</summary>
    public async Task<int> PurgeInstancesAsync(DurableTaskClient client, DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        var result = await client.PurgeAllInstancesAsync(new PurgeInstancesFilter(EarliestCreated, createdBefore, FinishedStatuses), cancellationToken);
        return result.PurgedInstanceCount;
    }

    private async Task<(int Cleaned, int Rows, int Failed)> CleanFinishedOrdersAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken)
    {
        int cleaned = 0, rows = 0, failed = 0;
        foreach (var entry in await finished.BeforeAsync(cutoff, max, cancellationToken))
        {
            try
            {
                // The entry is written just before the terminal write: if that write never happened, the order is still open
                // and its bookkeeping still matters. The entry goes; the order's real terminal write adds a new one.
                var order = await orders.FindAsync(entry.OrderId, cancellationToken);
                if (order is not null && OrderStatuses.IsTerminal(order.Status))
                {
                    rows += await DeleteBookkeepingAsync(entry.OrderId, cancellationToken);
                    cleaned++;
                }

                await finished.RemoveAsync(entry, cancellationToken);
            }
            catch (Exception ex) when (ex.IsStorageFailure() && !cancellationToken.IsCancellationRequested)
            {
                LogOrderFailed(ex, entry.OrderId);
                failed++;
            }
        }

        return (cleaned, rows, failed);
    }

    /// <summary>The order's notifications inbox mark and its callback delivery log.</summary>
    private async Task<int> DeleteBookkeepingAsync(string orderId, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var mark = await _inbox.DeleteEntityAsync(orderId, NotificationProgress.RowKey, ETag.All, cancellationToken);
        if (mark.Status != 404)
        {
            deleted++;
        }

        var callbackPartition = $"{DeliverWebhook.CallbackTarget}-{orderId}";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {callbackPartition}");
        deleted += await DeleteWhereAsync(_deliveries, filter, int.MaxValue, cancellationToken);
        return deleted;
    }

    /// <summary>
    /// Delivery ids start with the event's time reversed (<see cref="WebhookIds.DeliveryId"/>), so a subscription's rows
    /// older than the cut-off are one key range of its partition: RowKey above the id prefix of the cut-off.
    /// </summary>
    private async Task<int> TrimDeliveryLogsAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken)
    {
        var olderThan = $"{WebhookIds.DeliveryPrefix}{DateTimeOffset.MaxValue.UtcTicks - cutoff.UtcTicks:D19}";
        var deleted = 0;
        foreach (var subscription in await subscriptions.ListAsync(cancellationToken))
        {
            if (deleted >= max)
            {
                break;
            }

            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subscription.Id} and RowKey gt {olderThan}");
            deleted += await DeleteWhereAsync(_deliveries, filter, max - deleted, cancellationToken);
        }

        // A deleted subscription's log is trimmed the same way; once it was deleted before the cut-off every row is older
        // (nothing is logged for it after its deletion), so the whole partition goes, then its record.
        foreach (var (id, deletedAt) in await subscriptions.ListDeletedAsync(cancellationToken))
        {
            if (deleted >= max)
            {
                break;
            }

            var whole = deletedAt < cutoff;
            var filter = whole
                ? TableClient.CreateQueryFilter($"PartitionKey eq {id}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey gt {olderThan}");
            var budget = max - deleted;
            var removed = await DeleteWhereAsync(_deliveries, filter, budget, cancellationToken);
            deleted += removed;
            if (whole && removed < budget)
            {
                await subscriptions.ForgetDeletedAsync(id, cancellationToken);
            }
        }

        return deleted;
    }

    /// <summary>Deletes the rows of ONE partition that the filter selects, by key, in transactions of up to 100.</summary>
    private static async Task<int> DeleteWhereAsync(TableClient table, string filter, int max, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var batch = new List<TableTransactionAction>(MaxBatch);
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: MaxBatch, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
            if (batch.Count == MaxBatch)
            {
                deleted += await SubmitAsync(table, batch, cancellationToken);
            }

            if (deleted + batch.Count >= max)
            {
                break;
            }
        }

        return deleted + await SubmitAsync(table, batch, cancellationToken);
    }

    private static async Task<int> SubmitAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = batch.Count;
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // One of the rows went meanwhile (another run): delete the rest one by one.
            foreach (var action in batch)
            {
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
            }
        }

        batch.Clear();
        return count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention could not clean up order {OrderId}; it stays for the next run")]
    private partial void LogOrderFailed(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: {InstancesPurged} instances purged, {OrdersCleaned} finished orders cleaned ({BookkeepingRowsDeleted} rows), {DeliveryRowsDeleted} delivery-log rows deleted, {Failed} failed")]
    private partial void LogRun(int instancesPurged, int ordersCleaned, int bookkeepingRowsDeleted, int deliveryRowsDeleted, int failed);
}
