using System.Collections.Concurrent;
using Shop.Functions.Messaging;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Stands in for Service Bus, which cannot run here: records what the app sends, and can be told to fail
/// (a broker outage) or to hang (a broker that does not answer).
/// </summary>
public sealed class InMemoryMessageSender : IMessageSender
{
    private readonly ConcurrentQueue<OutgoingMessage> _sent = new();
    private int _attempts;

    /// <summary>When set, every send throws it, as a broker outage would.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>When set, a send of a message it matches throws, as a broker refusing one entity would.</summary>
    public Func<OutgoingMessage, bool>? FailWhen { get; set; }

    /// <summary>When set, every send waits this long (honouring cancellation) before succeeding.</summary>
    public TimeSpan? Delay { get; set; }

    /// <summary>When set, every send waits until this task completes (honouring cancellation): a broker that answers when the test says so.</summary>
    public Task? HoldUntil { get; set; }

    public IReadOnlyCollection<OutgoingMessage> Sent => _sent;

    public int Attempts => Volatile.Read(ref _attempts);

    public async Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        if (Delay is { } delay)
        {
            await Task.Delay(delay, cancellationToken);
        }

        if (HoldUntil is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }

        if (FailWith is { } failure)
        {
            throw failure;
        }

        if (FailWhen?.Invoke(message) == true)
        {
            throw new InvalidOperationException($"The test broker refused {message.MessageId} to {message.Destination}.");
        }

        _sent.Enqueue(message);
    }

    public IReadOnlyList<OutgoingMessage> SentFor(string correlationId) =>
        _sent.Where(message => message.CorrelationId == correlationId).ToList();
}
