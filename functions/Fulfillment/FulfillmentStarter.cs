using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Fulfillment;

/// <summary>Starts an order's saga once: the instance id is the order id, so a second start finds the first.</summary>
public sealed partial class FulfillmentStarter(IOptions<FulfillmentOptions> options, ILogger<FulfillmentStarter> logger)
{
    /// <summary>True when this call started the saga; false when it already existed (running or finished).</summary>
    public Task<bool> EnsureStartedAsync(DurableTaskClient client, string orderId, CancellationToken cancellationToken) =>
        EnsureStartedAsync(client, orderId, null, cancellationToken);

    /// <summary>As above; <paramref name="accepted"/>: the order was accepted already, and the saga starts at ReserveStock.</summary>
    public async Task<bool> EnsureStartedAsync(DurableTaskClient client, string orderId, AcceptedOrder? accepted, CancellationToken cancellationToken)
    {
        if (await client.GetInstanceAsync(orderId, cancellationToken) is not null)
        {
            LogAlreadyStarted(orderId);
            return false;
        }

        // Two racing starts: the engine refuses the second (any existing instance dedupes the id), the loser's
        // message is retried later, and then finds the instance above.
        // New orders run version 2; instances of version 1 started before the deploy finish under their own name.
        await client.ScheduleNewOrchestrationInstanceAsync(
            nameof(OrderFulfillmentOrchestrator.OrderFulfillmentV2),
            FulfillmentInput.For(orderId, options.Value, accepted),
            new StartOrchestrationOptions(InstanceId: orderId).WithDedupeStatuses(Enum.GetValues<OrchestrationRuntimeStatus>()),
            cancellationToken);
        LogStarted(orderId);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fulfillment of order {OrderId} started")]
    private partial void LogStarted(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fulfillment of order {OrderId} was started before; nothing new started")]
    private partial void LogAlreadyStarted(string orderId);
}
