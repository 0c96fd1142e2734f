using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Messaging;

/// <summary>
/// Finds outbox rows that have no <see cref="OutboxPointer"/> (written by a build before the outbox index): the old filtered
/// scan of every partition, run at most once every <see cref="OutboxOptions.LegacyScanInterval"/>, with the time a sweeper
/// run has left, resuming where the last run stopped (its continuation token is kept in <see cref="StatePartition"/> of the
/// index table). Zero turns it off, once a full pass has found nothing (docs/messaging.md, "Rows from before the index").
/// </summary>
public sealed partial class OutboxLegacyScan(
    TableServiceClient tables,
    OutboxIndex index,
    IOptions<OutboxOptions> options,
    ILogger<OutboxLegacyScan> logger)
{
    /// <summary>Sorts before <see cref="OutboxIndex.BucketPrefix"/> ('l' &lt; 'o'), so no bucket range reaches it.</summary>
    public const string StatePartition = "legacy-scan";

    internal async Task ScanAsync(OutboxSweepRun run, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var interval = options.Value.LegacyScanInterval;
        if (interval == TimeSpan.Zero)
        {
            return;
        }

        foreach (var tableName in OutboxSweeper.OutboxTables)
        {
            if (run.OutOfTime)
            {
                return;
            }

            var state = await ReadStateAsync(tableName, cancellationToken);
            if (state.ContinuationToken is null && state.LastCompletedAt is { } last && last + interval > now)
            {
                continue;
            }

            await ScanTableAsync(run, tables.GetTableClient(tableName), state, now, cancellationToken);
            await index.Table.UpsertEntityAsync(state, TableUpdateMode.Replace, cancellationToken);
        }
    }

    private async Task ScanTableAsync(OutboxSweepRun run, TableClient table, LegacyScanState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter(
            $"RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {OutboxRow.RowKeyEnd} and CreatedAt le {run.Cutoff}");
        var pageSize = Math.Min(options.Value.SweepBatchSize, 1000);
        var resumeFrom = state.ContinuationToken;
        await foreach (var page in table.QueryAsync<OutboxRow>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages(resumeFrom))
        {
            foreach (var row in page.Values)
            {
                if (await run.TrySendAsync(row, cancellationToken))
                {
                    state.Sent++;
                    await OutboxRelay.DeleteSentAsync(table, row, logger, cancellationToken);
                }
            }

            if (page.ContinuationToken is null)
            {
                LogPassCompleted(table.Name, state.Sent);
                state.ContinuationToken = null;
                state.LastCompletedAt = now;
                state.Sent = 0;
                return;
            }

            resumeFrom = page.ContinuationToken;
            if (run.OutOfTime)
            {
                break;
            }
        }

        state.ContinuationToken = resumeFrom;
    }

    private async Task<LegacyScanState> ReadStateAsync(string tableName, CancellationToken cancellationToken)
    {
        var found = await index.Table.GetEntityIfExistsAsync<LegacyScanState>(StatePartition, tableName, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value! : new LegacyScanState { RowKey = tableName };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Legacy outbox scan of table {Table} went through every partition; it sent {Count} rows that had no pointer")]
    private partial void LogPassCompleted(string table, int count);
}

/// <summary>Where the legacy scan of one table stands: PartitionKey = <see cref="OutboxLegacyScan.StatePartition"/>, RowKey = the table.</summary>
public sealed class LegacyScanState : ITableEntity
{
    public string PartitionKey { get; set; } = OutboxLegacyScan.StatePartition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    /// <summary>Where the pass in progress goes on (null: no pass in progress).</summary>
    public string? ContinuationToken { get; set; }

    public DateTimeOffset? LastCompletedAt { get; set; }

    /// <summary>Rows without a pointer sent so far by the pass in progress.</summary>
    public int Sent { get; set; }
}
