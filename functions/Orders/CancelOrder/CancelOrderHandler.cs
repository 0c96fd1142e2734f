using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Fulfillment;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders.CancelOrder;

/// <summary>What became of a cancellation request; <see cref="CancelOrderFunction"/> maps it to HTTP.</summary>
public abstract record CancelOrderResult
{
    private CancelOrderResult()
    {
    }

    /// <summary>The saga was asked to cancel; it decides (a dispatch at the same moment wins).</summary>
    public sealed record Requested : CancelOrderResult;

    public sealed record NoSuchOrder : CancelOrderResult;

    /// <summary>The order ended, or the carrier dispatched it: it can only complete.</summary>
    public sealed record NotCancellable(string Reason) : CancelOrderResult;

    /// <summary>Storage or the task hub did not answer: the client may retry (a cancellation is taken once).</summary>
    public sealed record Unavailable(string Detail) : CancelOrderResult;
}

/// <summary>
/// Asks the saga to cancel an order until the carrier dispatches. Reads the order row, then the orchestration: a final
/// order, an ended orchestration or one past dispatch is not cancellable; a missing orchestration (the place-order
/// command not arrived yet) is started first so that it sees the cancellation.
/// </summary>
public sealed partial class CancelOrderHandler(OrderStore store, FulfillmentStarter starter, ILogger<CancelOrderHandler> logger)
{
    public async Task<CancelOrderResult> HandleAsync(string orderId, DurableTaskClient client, CancellationToken cancellationToken)
    {
        OrderRow? order;
        try
        {
            order = await store.FindAsync(orderId, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex, orderId);
            return new CancelOrderResult.Unavailable("The order cannot be read right now.");
        }

        if (order is null)
        {
            return new CancelOrderResult.NoSuchOrder();
        }

        if (OrderStatuses.IsTerminal(order.Status))
        {
            return new CancelOrderResult.NotCancellable($"The order is {order.Status}.");
        }

        try
        {
            var instance = await client.GetInstanceAsync(orderId, getInputsAndOutputs: true, cancellationToken);
            if (instance is not null && NotCancellable(instance) is { } reason)
            {
                return new CancelOrderResult.NotCancellable(reason);
            }

            if (instance is null)
            {
                await starter.EnsureStartedAsync(client, orderId, cancellationToken);
            }

            await client.RaiseEventAsync(orderId, FulfillmentEvents.CancelOrder, new CancelOrderRequest("Requested by the client"), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The task hub did not answer. Its answer may have been lost after the event was raised, so this does not say
            // "nothing changed"; a retry is safe either way: the saga waits for one CancelOrder and ignores any other.
            LogTaskHubUnavailable(ex, orderId);
            return new CancelOrderResult.Unavailable("The cancellation may not have been passed on. Retry: the order takes one cancellation, however often it is asked.");
        }

        LogCancellationRequested(orderId);
        return new CancelOrderResult.Requested();
    }

    /// <summary>Why the saga can no longer take a cancellation, or null while it can.</summary>
    private static string? NotCancellable(OrchestrationMetadata instance)
    {
        if (instance.RuntimeStatus is not (OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Suspended))
        {
            // The order row is not final yet, but nothing would read the event: the open-orders watchdog repairs the order.
            return "The order's fulfillment has ended; its final status is being recorded.";
        }

        // Version 2 says ShipmentDispatched from the dispatch on; version 1 shows the step it runs, CompleteOrder.
        return instance.SerializedCustomStatus is { } status
            && (status.Contains(OrderFulfillmentOrchestrator.DispatchedStatus, StringComparison.Ordinal)
                || status.Contains(nameof(FulfillmentActivities.CompleteOrder), StringComparison.Ordinal))
            ? "The carrier has dispatched the order."
            : null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading order {OrderId} for its cancellation failed")]
    private partial void LogStorageUnavailable(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cancellation of order {OrderId} could not reach the task hub")]
    private partial void LogTaskHubUnavailable(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancellation of order {OrderId} requested")]
    private partial void LogCancellationRequested(string orderId);
}
