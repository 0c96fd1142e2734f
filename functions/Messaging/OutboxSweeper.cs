using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// Republishes outbox rows that the immediate send did not get out (Service Bus was down, or the process died between
/// commit and send), found through <see cref="OutboxIndex"/>: a run reads the pointers older than
/// <see cref="OutboxOptions.SweepAge"/>, oldest bucket first, page after page, handling <see cref="OutboxOptions.SweepConcurrency"/>
/// at once, until none is left or its <see cref="OutboxOptions.SweepTimeBudget"/> is spent. Its cost is the pending work,
/// whatever the number of orders ever taken. A destination (queue or topic) whose send fails is skipped for the rest of the
/// run and the others go on. Rows written before the index existed are found by <see cref="OutboxLegacyScan"/>.
/// </summary>
public sealed partial class OutboxSweeper(
    TableServiceClient tables,
    OutboxIndex index,
    OutboxLegacyScan legacy,
    IMessageSender sender,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    ILogger<OutboxSweeper> logger)
{
    /// <summary>
    /// How long a pointer with no due row behind it is kept: its transaction may still be on its way (the Table client
    /// gives up within a minute). Older, it belongs to a transaction that failed, or to rows sent since: deleted.
    /// </summary>
    public static readonly TimeSpan EmptyPointerGrace = TimeSpan.FromMinutes(10);

    /// <summary>Tables whose partitions hold outbox rows.</summary>
    public static IReadOnlyList<string> OutboxTables { get; } = [StorageTables.Orders];

    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var run = new OutboxSweepRun(sender, time, now - settings.SweepAge, settings.SweepTimeBudget, logger);

        await SweepIndexAsync(run, now, settings, cancellationToken);
        if (!run.OutOfTime)
        {
            await legacy.ScanAsync(run, now, cancellationToken);
        }

        if (run.Sent > 0)
        {
            LogSwept(run.Sent);
        }

        return run.Sent;
    }

    private async Task SweepIndexAsync(OutboxSweepRun run, DateTimeOffset now, OutboxOptions settings, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.SweepConcurrency, CancellationToken = cancellationToken };
        await foreach (var page in index.PendingAsync(run.Cutoff, Math.Min(settings.SweepBatchSize, 1000), cancellationToken))
        {
            await Parallel.ForEachAsync(page.Values, parallel, async (pointer, ct) =>
            {
                if (!run.OutOfTime)
                {
                    await SweepPointerAsync(run, pointer, now, ct);
                }
            });

            if (run.OutOfTime)
            {
                LogOutOfTime(settings.SweepTimeBudget, run.Sent);
                return;
            }
        }
    }

    /// <summary>Sends the pointer's rows and deletes them; then the pointer, unless a row is left.</summary>
    private async Task SweepPointerAsync(OutboxSweepRun run, OutboxPointer pointer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Read, not sent: every destination it covers refused a message in this run.
        if (pointer.DestinationList().All(run.IsFailing))
        {
            return;
        }

        var table = tables.GetTableClient(pointer.Table);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {pointer.Partition} and RowKey ge {OutboxEntity.RowKeyPrefix} and RowKey lt {OutboxEntity.RowKeyEnd}");
        var due = new List<OutboxEntity>();
        await foreach (var row in table.QueryAsync<OutboxEntity>(filter, cancellationToken: cancellationToken))
        {
            // Its own rows: those of its transaction, written at its CreatedAt. The partition's other rows have pointers of their
            // own (each written before its transaction), or none (the legacy scan's).
            if (row.CreatedAt == pointer.CreatedAt)
            {
                due.Add(row);
            }
        }

        if (due.Count == 0)
        {
            if (pointer.CreatedAt <= now - EmptyPointerGrace && await index.RemoveAsync(pointer, cancellationToken))
            {
                LogEmptyPointerRemoved(pointer.Partition, pointer.CreatedAt);
            }

            return;
        }

        var allGone = true;
        foreach (var row in due)
        {
            allGone &= await run.TrySendAsync(row, cancellationToken) && await OutboxRelay.DeleteSentAsync(table, row, logger, cancellationToken);
        }

        if (allGone)
        {
            await index.RemoveAsync(pointer, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweeper sent {Count} messages")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweeper spent its time budget of {Budget} after sending {Count} messages; the next run goes on")]
    private partial void LogOutOfTime(TimeSpan budget, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox pointer to partition {Partition} written at {CreatedAt} had no row behind it (its transaction failed, or its rows were sent); deleted")]
    private partial void LogEmptyPointerRemoved(string partition, DateTimeOffset createdAt);
}
