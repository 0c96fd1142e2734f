using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// Sends outbox rows right after their transaction committed, then deletes them and their <see cref="OutboxPointer"/>. A
/// failed send leaves row and pointer for <see cref="OutboxSweeper"/>; it never fails the caller. The immediate path is
/// bounded by a timeout and a circuit breaker per destination (queue or topic), so a Service Bus outage costs callers
/// milliseconds, not minutes, and one destination that refuses messages (a topic at its size quota) does not hold back the others.
/// The deletes run in the background: nothing the caller answers depends on them, and a delete that never happens only
/// means one resend by the sweeper, which duplicate detection absorbs. Rows sent by <see cref="RelayCommittedAsync"/> first
/// wait a moment for their partition's next transaction, which deletes them with its own change (<see cref="TakeSent"/>).
/// <see cref="RelayUnstoredInBackground"/> runs the send itself in the background (the submit answers 202 without waiting
/// for Service Bus) for a message that was not stored, and <see cref="RelayCommittedAsync"/> relays rows committed without
/// a pointer (the saga's steps), writing one only for rows whose send failed.
/// </summary>
public sealed partial class OutboxRelay : IAsyncDisposable
{
    private readonly IMessageSender _sender;
    private readonly OutboxIndex _index;
    private readonly OutboxPointerDeletes _pointerDeletes;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _sendTimeout;
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _immediate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly SentRowsAwaitingDelete _sentRows;

    public OutboxRelay(IMessageSender sender, OutboxIndex index, OutboxPointerDeletes pointerDeletes, IOptions<OutboxOptions> options, ILogger<OutboxRelay> logger, TimeProvider time)
    {
        _sender = sender;
        _index = index;
        _pointerDeletes = pointerDeletes;
        _logger = logger;
        _time = time;
        _sendTimeout = options.Value.ImmediateSendTimeout;
        _sentRows = new SentRowsAwaitingDelete(DeleteOrPointAsync);
    }

    /// <summary>Sends each row, then deletes the sent rows and, once all are gone, the pointer; returns how many were sent.</summary>
    public async Task<int> RelayAsync(TableClient table, IReadOnlyList<OutboxRow> rows, OutboxPointer? entry, CancellationToken cancellationToken)
    {
        var (sent, _) = await SendEachAsync(rows, cancellationToken);
        if (sent.Count > 0)
        {
            Track(DeleteAllAsync(table, sent, sent.Count == rows.Count ? entry : null));
        }

        return sent.Count;
    }

    /// <summary>
    /// Sends rows that were committed without a pointer (a saga step's event and commands, docs/messaging.md, "Saga steps:
    /// the pointer only when a send fails"); returns how many were sent now. Sent rows wait a moment for their partition's
    /// next transaction, which deletes them with its own change (<see cref="TakeSent"/>), and are deleted in the background
    /// if none comes. Rows whose send failed, and sent rows whose delete failed, get a pointer in the background, for the
    /// sweeper; should that write keep failing (tried again, with the sends, over about 15 s), they stay in their partition
    /// for the step's next run or the open-orders watchdog.
    /// Never throws for a failed send or pointer.
    /// </summary>
    public async Task<int> RelayCommittedAsync(TableClient table, IReadOnlyList<OutboxRow> rows, CancellationToken cancellationToken)
    {
        var (sent, unsent) = await SendEachAsync(rows, cancellationToken);
        if (sent.Count > 0)
        {
            Track(_sentRows.HoldAsync(table, sent));
        }

        if (unsent.Count > 0)
        {
            Track(PointUnsentAsync(table, unsent));
        }

        return sent.Count;
    }

    /// <summary>
    /// The partition's rows that <see cref="RelayCommittedAsync"/> sent and that wait to be deleted: the caller deletes them in
    /// its own transaction (ETag *, so that a 404 means another relay deleted one first), and hands them back with
    /// <see cref="DeleteSentLater"/> if that transaction does not commit.
    /// </summary>
    public IReadOnlyList<OutboxRow> TakeSent(TableClient table, string partition) => _sentRows.Take(table, partition);

    /// <summary>Sent rows taken with <see cref="TakeSent"/> whose transaction did not commit: they are deleted in the background.</summary>
    public void DeleteSentLater(TableClient table, IReadOnlyList<OutboxRow> rows)
    {
        if (rows.Count > 0)
        {
            Track(_sentRows.HoldAsync(table, rows));
        }
    }

    /// <summary>
    /// Sends, in the background, a message that was not stored with its change (the submit's PlaceOrder: the order row is
    /// one insert); only if the send fails is the message written to the outbox index (<see cref="OutboxPointer.Carrying"/>)
    /// for the sweeper. Should that write fail too, or the process die first, the message is lost here and the caller's own
    /// safety net must cover it (for PlaceOrder: the open-orders watchdog starts the saga). Never throws; tracked.
    /// </summary>
    public void RelayUnstoredInBackground(string table, OutboxRow row) => Track(RelayUnstoredAsync(table, row));

    /// <summary>
    /// Tracks other work started behind a response (the submit's order row): <see cref="DrainAsync"/>, and so shutdown,
    /// waits for it as for the sends. The work catches and logs its own failures.
    /// </summary>
    public void TrackBehindResponse(Task work) => Track(work);

    /// <summary>Waits for the background sends and deletes started so far (tests, and shutdown so that none is cut off).</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            // The pointer deletes wait for their batch: make them now, so that nothing here waits for the window.
            await _pointerDeletes.FlushAsync();
            _sentRows.Flush();
            if (_background.Keys.Where(task => !task.IsCompleted).ToArray() is not { Length: > 0 } open)
            {
                return;
            }

            await Task.WhenAny(Task.WhenAll(open), Task.Delay(TimeSpan.FromMilliseconds(50)));
        }
    }

    public async ValueTask DisposeAsync() => await DrainAsync();

    /// <summary>Deletes a sent row; false when that failed (the row is sent again later and deduplicated).</summary>
    internal static async Task<bool> DeleteSentAsync(TableClient table, OutboxRow row, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The sweeper (or another relay of the same rows) deleted it first.
            return true;
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogDeleteFailed(logger, ex, row.MessageId);
            return false;
        }
    }

    /// <summary>The rows of one transaction in one delete transaction; false when that failed (then they go one by one).</summary>
    private async Task<bool> DeleteTogetherAsync(TableClient table, List<OutboxRow> rows)
    {
        try
        {
            await table.SubmitTransactionAsync(
                rows.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All)), CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is TableTransactionFailedException || ex.IsStorageFailure())
        {
            // One was deleted already (by the sweeper), or storage failed: the one-by-one path decides each.
            return false;
        }
    }

    /// <summary>
    /// Delays between the rounds of the background work that must end with a message sent or in the index
    /// (<see cref="RelayUnstoredAsync"/>, <see cref="PointUnsentAsync"/>), in real time: a storage fault that outlasts the
    /// SDK's own retries by seconds still ends that way.
    /// </summary>
    internal static readonly TimeSpan[] BackgroundRetryDelays = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)];

    /// <summary>Runs <paramref name="round"/> (given its number) until one does not throw, after each of <see cref="BackgroundRetryDelays"/>.</summary>
    private static async Task InRoundsAsync(Func<int, Task> round, Action<Exception, TimeSpan> retrying, Action<Exception> givingUp)
    {
        for (var number = 0; ; number++)
        {
            try
            {
                await round(number);
                return;
            }
            catch (Exception ex) when (number < BackgroundRetryDelays.Length)
            {
                retrying(ex, BackgroundRetryDelays[number]);
                await Task.Delay(BackgroundRetryDelays[number], CancellationToken.None);
            }
            catch (Exception ex)
            {
                givingUp(ex);
                return;
            }
        }
    }

    /// <summary>Send, else write the message to the index as a pointer that carries it; in rounds.</summary>
    private Task RelayUnstoredAsync(string table, OutboxRow row) => InRoundsAsync(
        async _ =>
        {
            if (!await TrySendAsync(row, CancellationToken.None))
            {
                await _index.PointAsync(OutboxPointer.Carrying(table, row), CancellationToken.None);
            }
        },
        (ex, delay) => LogUnstoredRetry(ex, row.MessageId, delay),
        ex => LogUnstoredLost(ex, row.MessageId, row.Destination));

    private async Task<(List<OutboxRow> Sent, List<OutboxRow> Unsent)> SendEachAsync(IReadOnlyList<OutboxRow> rows, CancellationToken cancellationToken)
    {
        var sent = new List<OutboxRow>(rows.Count);
        var unsent = new List<OutboxRow>();
        foreach (var row in rows)
        {
            (await TrySendAsync(row, cancellationToken) ? sent : unsent).Add(row);
        }

        return (sent, unsent);
    }

    /// <summary>
    /// Deletes sent rows that no transaction took; those whose delete failed (sent again later and deduplicated) get a
    /// pointer: nothing committed is left without one while this process lives.
    /// </summary>
    private async Task DeleteOrPointAsync(TableClient table, List<OutboxRow> sent)
    {
        if (await DeleteSentRowsAsync(table, sent) is { Count: > 0 } left)
        {
            await PointUnsentAsync(table, left);
        }
    }

    /// <summary>
    /// Writes a pointer for committed rows still in their partition; in later rounds (the write failed) the rows are first
    /// sent (and deleted) again, and only those still there are pointed at.
    /// </summary>
    private Task PointUnsentAsync(TableClient table, List<OutboxRow> unsent) => InRoundsAsync(
        async round =>
        {
            if (round > 0)
            {
                var (sent, still) = await SendEachAsync(unsent, CancellationToken.None);
                unsent = sent.Count > 0 ? [.. still, .. await DeleteSentRowsAsync(table, sent)] : still;
                if (unsent.Count == 0)
                {
                    return;
                }
            }

            await _index.PointAsync(OutboxPointer.For(table.Name, unsent), CancellationToken.None);
        },
        (ex, delay) => LogPointerRetry(ex, unsent[0].PartitionKey, delay),
        ex => LogLeftInPartition(ex, unsent.Count, unsent[0].PartitionKey));

    /// <summary>One send on the immediate path; false (logged) when it failed or the circuit is open.</summary>
    private async Task<bool> TrySendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        try
        {
            await PipelineFor(row.Destination).ExecuteAsync(
                static (state, ct) => new ValueTask(state.Sender.SendAsync(state.Message, ct)),
                (Sender: _sender, Message: row.ToMessage()),
                cancellationToken);
            return true;
        }
        catch (BrokenCircuitException)
        {
            LogLeftForSweeper(row.MessageId, row.Destination, "the circuit to this destination is open");
            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(ex, row.MessageId, row.Destination);
            return false;
        }
    }

    /// <summary>
    /// Deletes the rows (one transaction when there are several: they share the order's partition), then the pointer, in a
    /// batch with other pointers of its bucket (<see cref="OutboxPointerDeletes"/>): a pointer goes only after every row it
    /// points at, so no row is left without one.
    /// </summary>
    private async Task DeleteAllAsync(TableClient table, List<OutboxRow> rows, OutboxPointer? entry)
    {
        var allDeleted = (await DeleteSentRowsAsync(table, rows)).Count == 0;
        if (allDeleted && entry is not null)
        {
            try
            {
                await _pointerDeletes.RemoveAsync(entry);
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                // The sweeper finds the pointer, sees no rows behind it and deletes it.
                LogPointerDeleteFailed(ex, entry.RowKey);
            }
        }
    }

    /// <summary>Deletes sent rows, together when there are several (one partition); returns those whose delete failed.</summary>
    private async Task<List<OutboxRow>> DeleteSentRowsAsync(TableClient table, List<OutboxRow> rows)
    {
        if (rows.Count > 1 && await DeleteTogetherAsync(table, rows))
        {
            return [];
        }

        var failed = new List<OutboxRow>();
        foreach (var row in rows)
        {
            if (!await DeleteSentAsync(table, row, _logger, CancellationToken.None))
            {
                failed.Add(row);
            }
        }

        return failed;
    }

    /// <summary>The immediate path to one queue or topic: its own breaker, so its failures open only its circuit.</summary>
    private ResiliencePipeline PipelineFor(string destination) =>
        _immediate.GetOrAdd(destination, static (_, relay) => new ResiliencePipelineBuilder { TimeProvider = relay._time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(30),
            })
            .AddTimeout(relay._sendTimeout)
            .Build(), this);

    private void Track(Task task)
    {
        if (task.IsCompleted)
        {
            return;
        }

        _background.TryAdd(task, 0);
        _ = task.ContinueWith(done => _background.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} to {Destination} not sent yet ({Reason}); the outbox sweeper will send it")]
    private partial void LogLeftForSweeper(string messageId, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending message {MessageId} to {Destination} failed; the outbox sweeper will send it")]
    private partial void LogSendFailed(Exception exception, string messageId, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} could neither be sent nor written to the outbox index; trying again in {Delay}")]
    private partial void LogUnstoredRetry(Exception exception, string messageId, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} to {Destination} could neither be sent nor written to the outbox index; the sender's own safety net must cover it")]
    private partial void LogUnstoredLost(Exception exception, string messageId, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsent outbox rows of {Partition} could not be written to the outbox index; trying again in {Delay}")]
    private partial void LogPointerRetry(Exception exception, string partition, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} outbox rows of {Partition} could neither be sent nor written to the outbox index; they stay in the partition for the step's next run or the open-orders watchdog")]
    private partial void LogLeftInPartition(Exception exception, int count, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox pointer {Pointer} could not be deleted after its rows were sent; the sweeper will delete it")]
    private partial void LogPointerDeleteFailed(Exception exception, string pointer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was sent but its outbox row could not be deleted; it will be sent again and deduplicated")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string messageId);
}
