using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.History;

/// <summary>An order in an account's history: its status now and where to read it.</summary>
public sealed record CustomerOrderSummary(string OrderId, string Status, DateTimeOffset CreatedAt, string OrderUrl);

/// <summary>One page, newest first. <see cref="Next"/>, when set, is the <c>after</c> of the next page.</summary>
public sealed record CustomerOrderListResponse(IReadOnlyList<CustomerOrderSummary> Items, string? Next);

/// <summary>
/// <c>GET /api/orders?customerId=&amp;max=&amp;after=</c>: the orders the account placed, newest first, from the
/// <see cref="CustomerOrderIndex"/> (one range query, then a point read per order for its status; never a scan). Only
/// for a caller the gateway vouches for (<see cref="GatewayCaller"/>), and only its own account: an order id is a
/// capability, so a list of another's would hand out theirs.
/// </summary>
public sealed partial class ListCustomerOrdersFunction(
    CustomerOrderIndex index, OrderStore orders, GatewayCaller gateway, PublicUrls urls, ILogger<ListCustomerOrdersFunction> logger)
{
    private const int MaxAfterLength = 64;

    [Function(nameof(ListCustomerOrders))]
    public async Task<IActionResult> ListCustomerOrders(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Submit)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var max = PageSize.Read(request.Query, errors);
        var customerId = request.Query["customerId"] is [{ Length: > 0 } id] ? id : null;
        if (customerId is null)
        {
            errors["customerId"] = ["Give the account whose orders to list (one customerId)."];
        }

        var after = request.Query["after"] is [{ } a] ? a : null;
        if (request.Query["after"].Count > 1 || after is { Length: 0 or > MaxAfterLength })
        {
            errors["after"] = ["Give the next value of the previous page."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(http, errors);
        }

        if (gateway.Verified(request) is not { } caller || !string.Equals(caller, customerId, StringComparison.Ordinal))
        {
            return Problems.Create(
                http,
                StatusCodes.Status403Forbidden,
                ProblemTypes.NotYourAccount,
                "Only the account's own orders can be listed.",
                "Order history needs a caller that the gateway authenticated, asking for its own customerId.");
        }

        try
        {
            var page = await index.PageAsync(caller, max, after, cancellationToken);
            var rows = await Task.WhenAll(page.Select(entry => orders.FindAsync(entry.OrderId, cancellationToken)));
            var items = page.Zip(rows)
                .Where(pair => pair.Second is not null)
                .Select(pair => new CustomerOrderSummary(pair.First.OrderId, pair.Second!.Status, pair.First.CreatedAt, urls.Absolute(request, OrderRoutes.OrderPath(pair.First.OrderId))))
                .ToList();
            var next = page.Count == max ? page[^1].RowKey : null;
            return new JsonResponse<CustomerOrderListResponse>(StatusCodes.Status200OK, new CustomerOrderListResponse(items, next), ShopJsonContext.Default.CustomerOrderListResponse)
                .WithHeader("Cache-Control", "no-store");
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex);
            return Problems.ServiceUnavailable(http, "The order history cannot be read right now.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Listing an account's orders failed")]
    private partial void LogStorageUnavailable(Exception exception);
}
