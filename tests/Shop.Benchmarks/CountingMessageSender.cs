using Shop.Functions.Messaging;

namespace Shop.Benchmarks;

/// <summary>
/// Stands in for Service Bus, which cannot run here: counts the sends and keeps nothing, so the broker costs
/// the benchmark nothing but a counter and keeps no memory alive.
/// </summary>
public sealed class CountingMessageSender : IMessageSender
{
    private long _sends;

    public long Sends => Interlocked.Read(ref _sends);

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        return Task.CompletedTask;
    }
}
