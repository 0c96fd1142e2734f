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
/// Sends outbox rows right after their transaction committed, then deletes them. A failed send leaves
/// the row for <see cref="OutboxSweeper"/>; it never fails the caller. The immediate path is bounded by
/// a timeout and a circuit breaker per destination (queue or topic), so a Service Bus outage costs requests milliseconds,
/// not minutes, and one destination that refuses messages (a topic at its size quota) does not hold back the others.
/// The delete runs in the background: nothing the caller answers depends on it, and a delete that never
/// happens only means one resend by the sweeper, which duplicate detection absorbs.
/// </summary>
public sealed partial class OutboxRelay : IAsyncDisposable
{
    private readonly IMessageSender _sender;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _sendTimeout;
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _immediate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pendingDeletes = new();

    public OutboxRelay(IMessageSender sender, IOptions<OutboxOptions> options, ILogger<OutboxRelay> logger, TimeProvider time)
    {
        _sender = sender;
        _logger = logger;
        _time = time;
        _sendTimeout = options.Value.ImmediateSendTimeout;
    }

    /// <summary>Sends and deletes each row; returns how many were sent.</summary>
    public async Task<int> RelayAsync(TableClient table, IReadOnlyList<OutboxEntity> rows, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var row in rows)
        {
            try
            {
                await PipelineFor(row.Destination).ExecuteAsync(
                    static (state, ct) => new ValueTask(state.Sender.SendAsync(state.Message, ct)),
                    (Sender: _sender, Message: row.ToMessage()),
                    cancellationToken);
            }
            catch (BrokenCircuitException)
            {
                LogLeftForSweeper(row.MessageId, row.Destination, "the circuit to this destination is open");
                continue;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogSendFailed(ex, row.MessageId, row.Destination);
                continue;
            }

            sent++;
            TrackDelete(DeleteSentAsync(table, row, _logger, CancellationToken.None));
        }

        return sent;
    }

    /// <summary>Waits for the deletes started so far (tests, and shutdown so that none is cut off).</summary>
    public Task DrainAsync() => Task.WhenAll(_pendingDeletes.Keys);

    public async ValueTask DisposeAsync() => await DrainAsync();

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

    private void TrackDelete(Task delete)
    {
        if (delete.IsCompleted)
        {
            return;
        }

        _pendingDeletes.TryAdd(delete, 0);
        _ = delete.ContinueWith(done => _pendingDeletes.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Deletes a sent row. If that fails the row is sent again later; duplicate detection absorbs it.</summary>
    internal static async Task DeleteSentAsync(TableClient table, OutboxEntity row, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogDeleteFailed(logger, ex, row.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} to {Destination} not sent yet ({Reason}); the outbox sweeper will send it")]
    private partial void LogLeftForSweeper(string messageId, string destination, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending message {MessageId} to {Destination} failed; the outbox sweeper will send it")]
    private partial void LogSendFailed(Exception exception, string messageId, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} was sent but its outbox row could not be deleted; it will be sent again and deduplicated")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception, string messageId);
}
