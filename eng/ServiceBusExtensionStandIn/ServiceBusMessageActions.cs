using Azure.Messaging.ServiceBus;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Stand-in for the real settlement API. Every method is virtual so tests mock it; called for real its Task
/// faults, because only the real package talks to the Functions host.
/// </summary>
public class ServiceBusMessageActions
{
    protected ServiceBusMessageActions()
    {
    }

    public virtual Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        NotSupported(message);

    public virtual Task AbandonMessageAsync(
        ServiceBusReceivedMessage message,
        IDictionary<string, object>? propertiesToModify = default,
        CancellationToken cancellationToken = default) =>
        NotSupported(message);

    public virtual Task DeadLetterMessageAsync(
        ServiceBusReceivedMessage message,
        Dictionary<string, object>? propertiesToModify = default,
        string? deadLetterReason = default,
        string? deadLetterErrorDescription = default,
        CancellationToken cancellationToken = default) =>
        NotSupported(message);

    public virtual Task DeferMessageAsync(
        ServiceBusReceivedMessage message,
        IDictionary<string, object>? propertiesToModify = default,
        CancellationToken cancellationToken = default) =>
        NotSupported(message);

    public virtual Task RenewMessageLockAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default) =>
        NotSupported(message);

    // Async, as the real methods are: a null message (or the missing client) faults the Task instead of throwing.
    private static async Task NotSupported(ServiceBusReceivedMessage message)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        ArgumentNullException.ThrowIfNull(message);
        throw new NotSupportedException("The Service Bus extension stand-in has no settlement client; reference the real package.");
    }
}
