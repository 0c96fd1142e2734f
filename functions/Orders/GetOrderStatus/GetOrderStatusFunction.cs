using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.GetOrderStatus;

public sealed record OrderStatusResponse(string OrderId, string Status, string Step, DateTimeOffset UpdatedAt);

/// <summary>
/// The status monitor of the asynchronous request-reply pattern: 200 with Retry-After while the order is
/// in flight, 303 See Other to the order once it is terminal. Anonymous: the unguessable id is the capability.
/// </summary>
public sealed class GetOrderStatusFunction(
    OrderLookup lookup,
    PublicUrls urls,
    IOptions<OrdersOptions> options,
    ILogger<GetOrderStatusFunction> logger)
{
    [Function(nameof(GetOrderStatus))]
    public async Task<IActionResult> GetOrderStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrderRoutes.Status)] HttpRequest request,
        string orderId,
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
            return new HeadersOnlyResponse(StatusCodes.Status303SeeOther)
                .WithHeader("Location", urls.Absolute(request, OrderRoutes.OrderPath(order.OrderId)))
                .WithHeader("Cache-Control", "no-store");
        }

        return new JsonResponse<OrderStatusResponse>(
                StatusCodes.Status200OK,
                new OrderStatusResponse(order.OrderId, order.Status, order.Step, order.UpdatedAt),
                ShopJsonContext.Default.OrderStatusResponse)
            .WithHeader("Retry-After", options.Value.StatusPollSeconds.ToString(CultureInfo.InvariantCulture))
            .WithHeader("Cache-Control", "no-store");
    }
}
