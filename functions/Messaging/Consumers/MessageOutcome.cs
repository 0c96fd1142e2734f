namespace Shop.Functions.Messaging.Consumers;

/// <summary>
/// A handler's verdict on a message. An exception instead of an outcome means "transient: try again later";
/// <see cref="MessagePipeline"/> then schedules a retry.
/// </summary>
public abstract record MessageOutcome
{
    private MessageOutcome()
    {
    }

    /// <summary>Done (or already done before): the message is completed.</summary>
    public static MessageOutcome Completed { get; } = new Completion();

    /// <summary>The message can never succeed: it is dead-lettered at once with reason <c>ValidationFailed</c>.</summary>
    public static MessageOutcome Reject(string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        return new Rejection(description);
    }

    /// <summary>The message can never succeed, for a reason other than its content: dead-lettered at once with <paramref name="reason"/> (a <see cref="DeadLetterReasons"/> constant).</summary>
    public static MessageOutcome Reject(string description, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new Rejection(description, reason);
    }

    /// <summary>
    /// Not now, without an exception: the handler met a failure it expected (an endpoint answering 503, an open
    /// circuit). The pipeline treats it as a transient failure: a later attempt on the schedule, or, after the last
    /// one, dead-lettering with reason <c>RetriesExhausted</c>.
    /// </summary>
    public static MessageOutcome RetryLater(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new Postponement(reason);
    }

    public sealed record Completion : MessageOutcome;

    public sealed record Postponement(string Reason) : MessageOutcome;

    public sealed record Rejection(string Description, string Reason = DeadLetterReasons.ValidationFailed) : MessageOutcome;
}
