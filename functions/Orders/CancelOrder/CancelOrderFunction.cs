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
/// <c>POST /api/orders/{orderId}/cancel</c>: asks the saga to cancel (202) while the order has not shipped;
/// 409 once it has shipped or ended. The saga decides: a shipment dispatched at the same moment wins.
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
            // The place-order command may not have arrived yet: start the saga so that it sees the cancellation.
            await starter.EnsureStartedAsync(client, orderId, cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Cancellation of order {OrderId} could not reach the task hub")]
    private partial void LogTaskHubUnavailable(Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cancellation of order {OrderId} requested")]
    private partial void LogCancellationRequested(string orderId);
}
