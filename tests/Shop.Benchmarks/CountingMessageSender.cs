using Shop.Functions.Messaging;

namespace Shop.Benchmarks;

/// <summary>
/// Stands in for Service Bus, which cannot run here: counts the sends and keeps nothing, so the broker costs
/// the benchmark nothing but a counter and keeps no memory alive. The outbox benchmark can make it slow
/// (<see cref="Latency"/>) or down (<see cref="Down"/>).
/// </summary>
public sealed class CountingMessageSender : IMessageSender
{
    private long _sends;

    public long Sends => Interlocked.Read(ref _sends);

    /// <summary>How long each send takes to be answered (honouring cancellation); null: at once.</summary>
    public TimeSpan? Latency { get; set; }

    /// <summary>When true, every send fails, as a broker outage would.</summary>
    public bool Down { get; set; }

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        if (Down)
        {
            return Task.FromException(new InvalidOperationException("The stand-in broker is down."));
        }

        if (Latency is { } latency)
        {
            return SendLaterAsync(latency, cancellationToken);
        }

        Interlocked.Increment(ref _sends);
        return Task.CompletedTask;
    }

    private async Task SendLaterAsync(TimeSpan latency, CancellationToken cancellationToken)
    {
        await Task.Delay(latency, cancellationToken);
        Interlocked.Increment(ref _sends);
    }
}
