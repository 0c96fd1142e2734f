using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>
/// <c>GET /api/webhooks/{id}/deliveries?top=&amp;after=</c>: the delivery log, newest first, with every attempt and
/// the next one; <c>POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver</c>: posts the event again (202), even
/// when it was delivered, as a new round that the log keeps apart from the first.
/// </summary>
public sealed class WebhookDeliveryFunctions(WebhookLookup lookup, WebhookDeliveryHandler handler, PublicUrls urls)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    [Function(nameof(ListWebhookDeliveries))]
    public Task<IActionResult> ListWebhookDeliveries(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = WebhookRoutes.Deliveries)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            if (PageProblem(request, out var top, out var after) is { } problem)
            {
                return problem;
            }

            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null)
            {
                return null;
            }

            var (rows, hasMore) = await handler.ListAsync(id, top, after, cancellationToken);
            var next = hasMore
                ? urls.Absolute(request, $"{WebhookRoutes.DeliveriesPath(id)}?top={top}&after={rows[^1].Id}")
                : null;
            var page = new WebhookDeliveryListResponse([.. rows.Select(WebhookDeliveryResponse.From)], next);
            return new JsonResponse<WebhookDeliveryListResponse>(StatusCodes.Status200OK, page, ShopJsonContext.Default.WebhookDeliveryListResponse)
                .WithHeader("Cache-Control", "no-store");
        });

    [Function(nameof(RedeliverWebhook))]
    public Task<IActionResult> RedeliverWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = WebhookRoutes.Redeliver)] HttpRequest request,
        string id,
        string deliveryId,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null)
            {
                return null;
            }

            switch (await handler.RedeliverAsync(id, deliveryId, cancellationToken))
            {
                case RedeliverResult.Queued queued:
                    var deliveries = urls.Absolute(request, WebhookRoutes.DeliveriesPath(id));
                    return new JsonResponse<RedeliverResponse>(StatusCodes.Status202Accepted, new RedeliverResponse(queued.DeliveryId, queued.Round, deliveries), ShopJsonContext.Default.RedeliverResponse)
                        .WithHeader("Location", deliveries);
                case RedeliverResult.Unavailable:
                    return Problems.ServiceUnavailable(
                        request.HttpContext, "The redelivery may not have been queued. Retry: a retry asks for the same round, which is delivered once.");
                default:
                    return Problems.NotFound(request.HttpContext, "The webhook has no delivery with that id.");
            }
        });

    private static JsonResponse<Problem>? PageProblem(HttpRequest request, out int top, out string? after)
    {
        top = DefaultPageSize;
        after = request.Query["after"].ToString() is { Length: > 0 } value ? value : null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Query.TryGetValue("top", out var topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaxPageSize))
        {
            errors["top"] = [$"top is a whole number from 1 to {MaxPageSize}."];
        }

        if (after is not null && !WebhookIds.IsDeliveryId(after))
        {
            errors["after"] = ["after is a delivery id from the previous page."];
        }

        return errors.Count == 0 ? null : Problems.Validation(request.HttpContext, errors);
    }
}
