using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Shop.Functions.Messaging;

/// <summary>
/// One sweeper run: its cutoff (rows older than <see cref="OutboxOptions.SweepAge"/>), its time budget, and what it
/// learned of each destination. Until a send to a destination has succeeded in this run, sends to it go one at a time
/// (a probe); after one failure the destination is skipped for the rest of the run, so a queue or topic that refuses
/// messages costs one attempt per run, not one per row, and the others go on.
/// </summary>
internal sealed partial class OutboxSweepRun(IMessageSender sender, TimeProvider time, DateTimeOffset cutoff, TimeSpan budget, ILogger logger)
{
    private readonly long _started = time.GetTimestamp();
    private readonly ConcurrentDictionary<string, Destination> _destinations = new(StringComparer.Ordinal);
    private int _sent;

    public DateTimeOffset Cutoff { get; } = cutoff;

    public bool OutOfTime => time.GetElapsedTime(_started) >= budget;

    public int Sent => Volatile.Read(ref _sent);

    public bool IsFailing(string destination) => _destinations.TryGetValue(destination, out var state) && state.Failing;

    /// <summary>Sends the row unless its destination failed in this run; false when not sent.</summary>
    public async Task<bool> TrySendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var destination = _destinations.GetOrAdd(row.Destination, static _ => new Destination());
        if (destination.Failing)
        {
            return false;
        }

        if (destination.Healthy)
        {
            return await SendAsync(row, destination, cancellationToken);
        }

        await destination.Probe.WaitAsync(cancellationToken);
        try
        {
            return !destination.Failing && await SendAsync(row, destination, cancellationToken);
        }
        finally
        {
            destination.Probe.Release();
        }
    }

    private async Task<bool> SendAsync(OutboxRow row, Destination destination, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = row.CorrelationId, ["MessageId"] = row.MessageId });
        try
        {
            await sender.SendAsync(row.ToMessage(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (!destination.Failing)
            {
                destination.Failing = true;
                LogDestinationSkipped(ex, row.MessageId, row.Destination);
            }

            return false;
        }

        destination.Healthy = true;
        Interlocked.Increment(ref _sent);
        LogResent(row.MessageId, row.Destination, row.CreatedAt);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox sweeper sent message {MessageId} to {Destination}, written at {CreatedAt}")]
    private partial void LogResent(string messageId, string destination, DateTimeOffset createdAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox sweeper could not send message {MessageId} to {Destination}; skipping that destination for this run")]
    private partial void LogDestinationSkipped(Exception exception, string messageId, string destination);

    private sealed class Destination
    {
        private volatile bool _healthy;
        private volatile bool _failing;

        public SemaphoreSlim Probe { get; } = new(1, 1);

        public bool Healthy
        {
            get => _healthy;
            set => _healthy = value;
        }

        public bool Failing
        {
            get => _failing;
            set => _failing = value;
        }
    }
}
