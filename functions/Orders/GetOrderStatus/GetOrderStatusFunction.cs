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
/// One point read per poll; the order row's ETag is the status's ETag, so a poll with If-None-Match gets 304 (with
/// Retry-After, no body) until the order changes, as <c>GET /api/orders/{orderId}</c> does.
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

        var etag = order.ETag.ToString("H");
        var retryAfter = options.Value.StatusPollSeconds.ToString(CultureInfo.InvariantCulture);
        if (ETags.Matches(request.Headers.IfNoneMatch, etag))
        {
            return new HeadersOnlyResponse(StatusCodes.Status304NotModified)
                .WithHeader("ETag", etag)
                .WithHeader("Retry-After", retryAfter)
                .WithHeader("Cache-Control", "no-cache");
        }

        return new JsonResponse<OrderStatusResponse>(
                StatusCodes.Status200OK,
                new OrderStatusResponse(order.OrderId, order.Status, order.Step, order.UpdatedAt),
                ShopJsonContext.Default.OrderStatusResponse)
            .WithHeader("ETag", etag)
            .WithHeader("Retry-After", retryAfter)
            .WithHeader("Cache-Control", "no-cache");
    }
}
