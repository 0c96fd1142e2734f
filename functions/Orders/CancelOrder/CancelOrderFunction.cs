using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.CancelOrder;

/// <summary>The 202 body: cancellation was asked for; the order's status tells how it ended.</summary>
public sealed record CancelOrderResponse(string OrderId, string Status, string StatusUrl);

/// <summary>
/// <c>POST /api/orders/{orderId}/cancel</c>: asks the saga to cancel (202) until the carrier dispatches; 409 once the
/// carrier reported dispatch (the order can only complete) or the order ended. The saga decides: a shipment dispatched
/// at the same moment wins, and the order completes. Binds, calls <see cref="CancelOrderHandler"/> and maps its result.
/// </summary>
public sealed class CancelOrderFunction(CancelOrderHandler handler, PublicUrls urls, ILogger<CancelOrderFunction> logger)
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
        return await handler.HandleAsync(orderId, client, cancellationToken) switch
        {
            CancelOrderResult.NoSuchOrder => Problems.NotFound(request.HttpContext, "No order has this id."),
            CancelOrderResult.NotCancellable refused => Problems.Create(
                request.HttpContext, StatusCodes.Status409Conflict, ProblemTypes.OrderNotCancellable, "The order can no longer be cancelled.", refused.Reason),
            CancelOrderResult.Unavailable down => Problems.ServiceUnavailable(request.HttpContext, down.Detail),
            _ => Accepted(request, orderId),
        };
    }

    private JsonResponse<CancelOrderResponse> Accepted(HttpRequest request, string orderId)
    {
        var statusUrl = urls.Absolute(request, OrderRoutes.StatusPath(orderId));
        return new JsonResponse<CancelOrderResponse>(
                StatusCodes.Status202Accepted,
                new CancelOrderResponse(orderId, CancellationRequested, statusUrl),
                ShopJsonContext.Default.CancelOrderResponse)
            .WithHeader("Location", statusUrl);
    }
}
