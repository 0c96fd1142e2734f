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
    public static IReadOnlyList<string> OutboxTables { get; } = [StorageTables.Orders, StorageTables.Inventory];

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
            // The pointers of one order in one worker: its partition is read once, and no two workers send the same rows. A
            // pointer that carries its message is a worker's item of its own: no partition to read.
            var work = page.Values.Where(pointer => pointer.Carries).Select(pointer => new List<OutboxPointer> { pointer })
                .Concat(page.Values.Where(pointer => !pointer.Carries).GroupBy(pointer => (pointer.Table, pointer.Partition)).Select(group => group.ToList()));
            await Parallel.ForEachAsync(work, parallel, async (pointers, ct) =>
            {
                if (run.OutOfTime)
                {
                    return;
                }

                if (pointers[0].Carries)
                {
                    await SweepCarriedAsync(run, pointers[0], ct);
                }
                else
                {
                    await SweepPartitionAsync(run, pointers, now, ct);
                }
            });

            if (run.OutOfTime)
            {
                LogOutOfTime(settings.SweepTimeBudget, run.Sent);
                return;
            }
        }
    }

    /// <summary>Sends the message the pointer carries (<see cref="OutboxPointer.Carrying"/>), then deletes the pointer.</summary>
    private async Task SweepCarriedAsync(OutboxSweepRun run, OutboxPointer pointer, CancellationToken cancellationToken)
    {
        if (await run.TrySendAsync(pointer.CarriedRow(), cancellationToken))
        {
            await index.RemoveAsync(pointer, cancellationToken);
        }
    }

    /// <summary>
    /// Sends the due rows of the pointers' partition and deletes them; then the pointers, once no outbox row is left there
    /// (a row still there, due or not, keeps them: they are read again next run).
    /// </summary>
    private async Task SweepPartitionAsync(OutboxSweepRun run, List<OutboxPointer> pointers, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Read, not sent: every destination they cover refused a message in this run.
        if (pointers.SelectMany(pointer => pointer.DestinationList()).All(run.IsFailing))
        {
            return;
        }

        var table = tables.GetTableClient(pointers[0].Table);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {pointers[0].Partition} and RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {OutboxRow.RowKeyEnd}");
        var rows = await table.QueryAsync<OutboxRow>(filter, cancellationToken: cancellationToken).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            foreach (var pointer in pointers.Where(pointer => pointer.CreatedAt <= now - EmptyPointerGrace))
            {
                if (await index.RemoveAsync(pointer, cancellationToken))
                {
                    LogEmptyPointerRemoved(pointer.Partition, pointer.CreatedAt);
                }
            }

            return;
        }

        // Younger rows belong to a later transaction, whose own pointer was written before it: they wait for their turn.
        var allGone = true;
        foreach (var row in rows)
        {
            allGone &= row.CreatedAt <= run.Cutoff
                && await run.TrySendAsync(row, cancellationToken)
                && await OutboxRelay.DeleteSentAsync(table, row, logger, cancellationToken);
        }

        if (allGone)
        {
            foreach (var pointer in pointers)
            {
                await index.RemoveAsync(pointer, cancellationToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweeper sent {Count} messages")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweeper spent its time budget of {Budget} after sending {Count} messages; the next run goes on")]
    private partial void LogOutOfTime(TimeSpan budget, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox pointer to partition {Partition} written at {CreatedAt} had no row behind it (its transaction failed, or its rows were sent); deleted")]
    private partial void LogEmptyPointerRemoved(string partition, DateTimeOffset createdAt);
}
