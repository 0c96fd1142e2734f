using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>An order that needs a person: why, when it was flagged, and where to read it.</summary>
public sealed record NeedsAttentionOrder(string OrderId, string Reason, DateTimeOffset FlaggedAt, string OrderUrl);

/// <summary>One page, by order id. <see cref="Next"/>, when set, is the <c>after</c> of the next page.</summary>
public sealed record NeedsAttentionListResponse(IReadOnlyList<NeedsAttentionOrder> Items, string? Next);

/// <summary>
/// <c>GET /api/ops/orders/needs-attention?max=&amp;after=</c> (admin key): the orders the saga or the watchdog marked
/// NeedsAttention (a compensation that failed for good, a saga that ended with the order open), with the reason.
/// </summary>
public sealed partial class ListOrdersNeedingAttentionFunction(OpenOrderIndex index, PublicUrls urls, ILogger<ListOrdersNeedingAttentionFunction> logger)
{
    /// <summary>Under <c>ops/</c> like the dead letters, not <c>admin/</c>, which the host reserves.</summary>
    public const string Route = "ops/orders/needs-attention";

    [Function(nameof(ListOrdersNeedingAttention))]
    public async Task<IActionResult> ListOrdersNeedingAttention(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Route)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        var (query, errors) = NeedsAttentionQuery.Read(request.Query);
        if (query is null)
        {
            return Problems.Validation(http, errors!);
        }

        IReadOnlyList<NeedsAttentionRow> page;
        try
        {
            page = await index.NeedsAttentionAsync(query.Max, query.After, cancellationToken);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex);
            return Problems.ServiceUnavailable(http, "The orders that need attention cannot be read right now.");
        }

        var items = page.Select(e => new NeedsAttentionOrder(e.OrderId, e.Reason, e.FlaggedAt, urls.Absolute(request, OrderRoutes.OrderPath(e.OrderId)))).ToList();
        var next = items.Count == query.Max ? items[^1].OrderId : null;
        return new JsonResponse<NeedsAttentionListResponse>(StatusCodes.Status200OK, new NeedsAttentionListResponse(items, next), ShopJsonContext.Default.NeedsAttentionListResponse)
            .WithHeader("Cache-Control", "no-store");
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Listing the orders that need attention failed")]
    private partial void LogStorageUnavailable(Exception exception);
}
