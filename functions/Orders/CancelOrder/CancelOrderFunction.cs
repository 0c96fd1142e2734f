using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Fulfillment;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.CancelOrder;

/// <summary>The 202 body: cancellation was asked for; the order's status tells how it ended.</summary>
public sealed record CancelOrderResponse(string OrderId, string Status, string StatusUrl);

/// <summary>
/// <c>POST /api/orders/{orderId}/cancel</c>: asks the saga to cancel (202) until the carrier dispatches; 409 once the
/// carrier reported dispatch (the order can only complete) or the order ended. The saga decides: a shipment dispatched
/// at the same moment wins, and the order completes.
/// </summary>
public sealed partial class CancelOrderFunction(OrderLookup lookup, FulfillmentStarter starter, PublicUrls urls, ILogger<CancelOrderFunction> logger)
{
    public const string CancellationRequested = nameof(CancellationRequested);

    [Function(nameof(CancelOrder))]
    public async Task<IActionResult> CancelOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderRoutes.Cancel)] HttpRequest request,
        string orderId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        var (order, problem) = await lookup.FindAsync(request, orderId, cancellationToken);
        if (order is null)
        {
            return problem!;
        }

        if (OrderStatuses.IsTerminal(order.Status))
        {
            return Problems.Create(
                request.HttpContext,
                StatusCodes.Status409Conflict,
                ProblemTypes.OrderNotCancellable,
                "The order can no longer be cancelled.",
                $"The order is {order.Status}.");
        }

        try
        {
            var instance = await client.GetInstanceAsync(orderId, getInputsAndOutputs: true, cancellationToken);
            if (instance is not null && NotCancellable(instance) is { } reason)
            {
                return Problems.Create(
                    request.HttpContext, StatusCodes.Status409Conflict, ProblemTypes.OrderNotCancellable, "The order can no longer be cancelled.", reason);
            }

            // The place-order command may not have arrived yet: start the saga so that it sees the cancellation.
            if (instance is null)
            {
                await starter.EnsureStartedAsync(client, orderId, cancellationToken);
            }

            await client.RaiseEventAsync(orderId, FulfillmentEvents.CancelOrder, new CancelOrderRequest("Requested by the client"), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The task hub did not answer: nothing was asked of the saga, so the client may simply retry.
            LogTaskHubUnavailable(ex, orderId);
            return Problems.ServiceUnavailable(request.HttpContext, "The cancellation could not be passed on; nothing changed. Retry later.");
        }

        LogCancellationRequested(orderId);

        var statusUrl = urls.Absolute(request, OrderRoutes.StatusPath(orderId));
        return new JsonResponse<CancelOrderResponse>(
                StatusCodes.Status202Accepted,
                new CancelOrderResponse(orderId, CancellationRequested, statusUrl),
                ShopJsonContext.Default.CancelOrderResponse)
            .WithHeader("Location", statusUrl);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Cancellation of order {OrderId} could not reach the task hub")]
    private partial void LogTaskHubUnavailable(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancellation of order {OrderId} requested")]
    private partial void LogCancellationRequested(string orderId);
}
