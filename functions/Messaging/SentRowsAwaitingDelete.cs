using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Shop.Functions.Messaging;

/// <summary>
/// Outbox rows that were sent and wait, per partition and for at most <see cref="Window"/>, to be deleted. The partition's
/// next transaction in this process (an order's next saga step, usually tens of milliseconds later) takes them
/// (<see cref="Take"/>) and deletes them in the same transaction, so that a step's sent rows cost no delete request of their
/// own (issue 14). Rows nobody takes in time are handed to the delete given at construction, as every sent row was before.
/// Nothing depends on when a sent row goes: until then it is a row the sweeper never sees (it has no pointer) and the
/// open-orders watchdog would send again, deduplicated, only after <c>Outbox:SweepAge</c>; a process that dies holding rows
/// leaves them in the partition exactly as a delete that failed would.
/// </summary>
internal sealed class SentRowsAwaitingDelete(Func<TableClient, List<OutboxRow>, Task> delete)
{
    /// <summary>How long sent rows wait for their partition's next transaction; <see cref="Flush"/> cuts it short.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<(string Table, string Partition), (TableClient Table, OutboxRow[] Rows)> _held = new();
    private TaskCompletionSource _flush = NewSignal();

    /// <summary>Holds the rows; the task ends once they were taken, or deleted after the window (tracked by the relay).</summary>
    public Task HoldAsync(TableClient table, IReadOnlyList<OutboxRow> rows) =>
        Task.WhenAll(rows.GroupBy(row => row.PartitionKey, StringComparer.Ordinal).Select(partition =>
        {
            var key = (table.Name, partition.Key);
            // A row relayed twice (a step run again while its first run's rows wait) is held once: a transaction may name
            // an entity only once.
            _held.AddOrUpdate(
                key,
                _ => (table, [.. partition.DistinctBy(row => row.RowKey, StringComparer.Ordinal)]),
                (_, held) => (table, [.. held.Rows.Concat(partition).DistinctBy(row => row.RowKey, StringComparer.Ordinal)]));
            return DeleteAfterWindowAsync(key, Volatile.Read(ref _flush).Task);
        }));

    /// <summary>The partition's sent rows, now the caller's to delete; empty when none wait (or another process sent them).</summary>
    public IReadOnlyList<OutboxRow> Take(TableClient table, string partition) =>
        _held.TryRemove((table.Name, partition), out var held) ? held.Rows : [];

    /// <summary>Ends every wait now (shutdown and tests, through <see cref="OutboxRelay.DrainAsync"/>).</summary>
    public void Flush() => Interlocked.Exchange(ref _flush, NewSignal()).TrySetResult();

    private async Task DeleteAfterWindowAsync((string Table, string Partition) key, Task flush)
    {
        // Real time, as the relay's other background work: a test's manual clock must not keep rows here.
        await Task.WhenAny(Task.Delay(Window, CancellationToken.None), flush);
        if (_held.TryRemove(key, out var held))
        {
            await delete(held.Table, [.. held.Rows]);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
