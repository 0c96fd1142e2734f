using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>How a consumer settled one delivery; null in <see cref="BrokerSettlement.Outcome"/> means it did not.</summary>
public enum Settlement
{
    Completed,
    Abandoned,
    DeadLettered,
}

/// <summary>
/// The settlement API one delivery gets: records the consumer's decision. A second settlement of the same delivery
/// fails as Service Bus fails it (the lock is gone), and is counted, because the app must never try it.
/// </summary>
public sealed class BrokerSettlement : ServiceBusMessageActions
{
    private int _settled;

    public Settlement? Outcome { get; private set; }

    public string? DeadLetterReason { get; private set; }

    public string? DeadLetterDescription { get; private set; }

    public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        Settle(Settlement.Completed);

    public override Task AbandonMessageAsync(
        ServiceBusReceivedMessage message,
        IDictionary<string, object>? propertiesToModify = default,
        CancellationToken cancellationToken = default) =>
        Settle(Settlement.Abandoned);

    public override Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message,
        Dictionary<string, object>? propertiesToModify = default,
        string? deadLetterReason = default,
        string? deadLetterErrorDescription = default,
        CancellationToken cancellationToken = default)
    {
        DeadLetterReason = deadLetterReason;
        DeadLetterDescription = deadLetterErrorDescription;
        return Settle(Settlement.DeadLettered);
    }

    public override Task DeferMessageAsync(
        ServiceBusReceivedMessage message,
        IDictionary<string, object>? propertiesToModify = default,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The app never defers; the harness does not model deferral.");

    public override Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        Task.CompletedTask;

    private Task Settle(Settlement outcome)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 1)
        {
            throw new ServiceBusException(
                $"The message was already settled ({Outcome}); {outcome} is refused.", ServiceBusFailureReason.MessageLockLost);
        }

        Outcome = outcome;
        return Task.CompletedTask;
    }
}
