using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.GetOrder;

/// <summary>
/// The order as clients see it. Contact and payment details stay out: anyone with the id may read this.
/// </summary>
public sealed record OrderResponse(
    string OrderId,
    string Status,
    string Step,
    IReadOnlyList<OrderLine> Items,
    IReadOnlyList<OrderStep> Steps,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary><c>GET /api/orders/{orderId}</c>: a point read with an ETag; a poll with If-None-Match gets 304.</summary>
public sealed class GetOrderFunction(OrderLookup lookup, ILogger<GetOrderFunction> logger)
{
    [Function(nameof(GetOrder))]
    public async Task<IActionResult> GetOrder(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrderRoutes.Order)] HttpRequest request,
        string orderId,
        CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["OrderId"] = orderId });
        var (order, problem) = await lookup.FindAsync(request, orderId, cancellationToken);
        if (order is null)
        {
            return problem!;
        }

        var etag = order.ETag.ToString("H");
        if (ETags.Matches(request.Headers.IfNoneMatch, etag))
        {
            return new HeadersOnlyResponse(StatusCodes.Status304NotModified)
                .WithHeader("ETag", etag)
                .WithHeader("Cache-Control", "no-cache");
        }

        var body = new OrderResponse(
            order.OrderId,
            order.Status,
            order.Step,
            order.GetItems(),
            order.GetSteps(),
            order.FailureReason,
            order.CreatedAt,
            order.UpdatedAt);
        return new JsonResponse<OrderResponse>(StatusCodes.Status200OK, body, ShopJsonContext.Default.OrderResponse)
            .WithHeader("ETag", etag)
            .WithHeader("Cache-Control", "no-cache");
    }
}
