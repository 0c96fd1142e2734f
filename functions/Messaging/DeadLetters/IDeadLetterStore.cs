using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>The dead-letter sub-queues of the app's entities. The app uses Service Bus; tests use a fake.</summary>
public interface IDeadLetterStore
{
    /// <summary>Up to <paramref name="max"/> dead letters, in sequence order from <paramref name="fromSequenceNumber"/> (or the first) on, without locking them.</summary>
    Task<IReadOnlyList<DeadLetter>> PeekAsync(ConsumerEntity entity, long? fromSequenceNumber, int max, CancellationToken cancellationToken);

    /// <summary>Sends the dead letter's <see cref="ReplayCopy"/> to its entity, then removes the dead letter.</summary>
    Task<ReplayResult> ReplayAsync(ConsumerEntity entity, long sequenceNumber, CancellationToken cancellationToken);
}

public enum ReplayStatus
{
    /// <summary>The copy was sent and the dead letter completed.</summary>
    Replayed,

    /// <summary>No dead letter of the entity has the sequence number (never, or not any more).</summary>
    NotFound,

    /// <summary>It exists but could not be received now: another receiver holds its lock (a replay running at the same time).</summary>
    Locked,
}

/// <summary>What a replay did; <see cref="Copy"/> is the message sent when <see cref="Status"/> is <see cref="ReplayStatus.Replayed"/>.</summary>
public sealed record ReplayResult(ReplayStatus Status, OutgoingMessage? Copy = null)
{
    public static ReplayResult NotFound { get; } = new(ReplayStatus.NotFound);

    public static ReplayResult Locked { get; } = new(ReplayStatus.Locked);

    public static ReplayResult Replayed(OutgoingMessage copy) => new(ReplayStatus.Replayed, copy);
}
