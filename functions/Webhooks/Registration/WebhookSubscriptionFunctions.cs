using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// <c>GET /api/webhooks</c>, <c>GET</c>, <c>PATCH</c> and <c>DELETE /api/webhooks/{id}</c>, and
/// <c>POST /api/webhooks/{id}/rotate-secret</c>, each on the caller's own subscriptions only. Secrets are never read
/// back; a rotation shows the new one once.
/// </summary>
public sealed class WebhookSubscriptionFunctions(WebhookLookup lookup, WebhookSubscriptionHandler handler, WebhookDestinationGuard guard, PublicUrls urls)
{
    [Function(nameof(ListWebhooks))]
    public Task<IActionResult> ListWebhooks(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = WebhookRoutes.Collection)] HttpRequest request,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            var all = await lookup.ListOwnedAsync(request, cancellationToken);
            var items = all.Select(subscription => Describe(request, subscription)).ToList();
            return new JsonResponse<WebhookListResponse>(StatusCodes.Status200OK, new WebhookListResponse(items), ShopJsonContext.Default.WebhookListResponse)
                .WithHeader("Cache-Control", "no-store");
        });

    [Function(nameof(GetWebhook))]
    public Task<IActionResult> GetWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = WebhookRoutes.Subscription)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
            await lookup.FindOwnedAsync(request, id, cancellationToken) is { } subscription
                ? new JsonResponse<WebhookResponse>(StatusCodes.Status200OK, Describe(request, subscription), ShopJsonContext.Default.WebhookResponse)
                    .WithHeader("Cache-Control", "no-store")
                : null);

    /// <summary>
    /// Changes the url, event types or description. A new url passes the SSRF guard (and the validation handshake, when
    /// required) before anything is written; a refused one changes nothing.
    /// </summary>
    [Function(nameof(UpdateWebhook))]
    public async Task<IActionResult> UpdateWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = WebhookRoutes.Subscription)] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var body = await JsonRequestReader.ReadAsync(request, ShopJsonContext.Default.UpdateWebhookRequest, RegisterWebhookFunction.MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var errors = RegisterWebhookValidator.ValidateUpdate(body.Value!, guard, out var update);
        if (update is null)
        {
            return Problems.Validation(request.HttpContext, errors);
        }

        return await lookup.RunAsync(request, async () =>
        {
            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null)
            {
                return null;
            }

            return await handler.UpdateAsync(id, update, cancellationToken) switch
            {
                WebhookChangeResult.Changed changed => new JsonResponse<WebhookResponse>(StatusCodes.Status200OK, Describe(request, changed.Subscription), ShopJsonContext.Default.WebhookResponse)
                    .WithHeader("Cache-Control", "no-store"),
                WebhookChangeResult.UrlRefused refused => Problems.Validation(request.HttpContext, new Dictionary<string, string[]> { ["url"] = [refused.Reason] }),
                WebhookChangeResult.NotConfirmed notConfirmed => Problems.Create(
                    request.HttpContext,
                    StatusCodes.Status422UnprocessableEntity,
                    ProblemTypes.WebhookNotConfirmed,
                    "The endpoint did not confirm the webhook.",
                    $"{notConfirmed.Problem} Nothing was changed (CloudEvents webhook validation handshake)."),
                _ => null,
            };
        });
    }

    [Function(nameof(DeleteWebhook))]
    public Task<IActionResult> DeleteWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = WebhookRoutes.Subscription)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null || !await handler.DeleteAsync(id, cancellationToken))
            {
                return null;
            }

            return new HeadersOnlyResponse(StatusCodes.Status204NoContent);
        });

    [Function(nameof(RotateWebhookSecret))]
    public Task<IActionResult> RotateWebhookSecret(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = WebhookRoutes.RotateSecret)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null)
            {
                return null;
            }

            if (await handler.RotateSecretAsync(id, cancellationToken) is not WebhookChangeResult.Changed { Subscription: var rotated, PreviousSecretExpiresAt: { } previousExpires })
            {
                return null;
            }

            var answer = new RotateSecretResponse(rotated.Id, rotated.Secret, previousExpires);
            return new JsonResponse<RotateSecretResponse>(StatusCodes.Status200OK, answer, ShopJsonContext.Default.RotateSecretResponse)
                .WithHeader("Cache-Control", "no-store");
        });

    private WebhookResponse Describe(HttpRequest request, WebhookSubscriptionRow subscription) =>
        WebhookResponse.From(subscription, urls.Absolute(request, WebhookRoutes.DeliveriesPath(subscription.Id)));
}
