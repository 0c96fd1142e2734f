using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>
/// <c>GET /api/webhooks/{id}/deliveries?top=&amp;after=</c>: the delivery log, newest first, with every attempt and
/// the next one; <c>POST /api/webhooks/{id}/deliveries/{deliveryId}/redeliver</c>: posts the event again (202), even
/// when it was delivered, as a new round that the log keeps apart from the first.
/// </summary>
public sealed partial class WebhookDeliveryFunctions(
    WebhookLookup lookup,
    WebhookDeliveryLog log,
    IMessageSender sender,
    PublicUrls urls,
    ILogger<WebhookDeliveryFunctions> logger)
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

            var rows = await log.ListAsync(id, top, after, cancellationToken);
            var next = rows.Count == top
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

            var row = await log.FindAsync(id, deliveryId, cancellationToken);
            var orderEvent = row is null ? null : JsonSerializer.Deserialize(row.Event, ShopJsonContext.Default.OrderEvent);
            if (row is null || orderEvent is null)
            {
                return Problems.NotFound(request.HttpContext, "The webhook has no delivery with that id.");
            }

            // Two requests at once compute the same round, so the same message id: Service Bus keeps one.
            var command = new DeliverWebhook(row.Id, id, orderEvent, Round: row.Round + 1);
            try
            {
                await sender.SendAsync(command.ToMessage(), cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogSendFailed(ex, deliveryId);
                return Problems.ServiceUnavailable(request.HttpContext, "The redelivery could not be queued; nothing changed. Retry later.");
            }

            LogRedeliveryRequested(deliveryId, command.Round);
            var deliveries = urls.Absolute(request, WebhookRoutes.DeliveriesPath(id));
            return new JsonResponse<RedeliverResponse>(StatusCodes.Status202Accepted, new RedeliverResponse(row.Id, command.Round, deliveries), ShopJsonContext.Default.RedeliverResponse)
                .WithHeader("Location", deliveries);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} redelivery round {Round} requested")]
    private partial void LogRedeliveryRequested(string deliveryId, int round);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId}: the redelivery could not be queued")]
    private partial void LogSendFailed(Exception exception, string deliveryId);
}
