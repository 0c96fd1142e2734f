using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// <c>GET /api/webhooks</c>, <c>GET</c>, <c>PATCH</c> and <c>DELETE /api/webhooks/{id}</c>, and
/// <c>POST /api/webhooks/{id}/rotate-secret</c>, each on the caller's own subscriptions only. Secrets are never read
/// back; a rotation shows the new one once.
/// </summary>
public sealed partial class WebhookSubscriptionFunctions(
    WebhookLookup lookup,
    WebhookDestinationGuard guard,
    WebhookHandshake handshake,
    PublicUrls urls,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<WebhookSubscriptionFunctions> logger)
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

            if (update.Url is { } url)
            {
                var destination = await guard.CheckAsync(url, cancellationToken);
                if (!destination.IsAllowed)
                {
                    return Problems.Validation(request.HttpContext, new Dictionary<string, string[]> { ["url"] = [destination.Reason ?? "The URL's address is not allowed."] });
                }

                if (handshake.IsRequired && await handshake.ConfirmAsync(url, cancellationToken) is { IsConfirmed: false } consent)
                {
                    return Problems.Create(
                        request.HttpContext,
                        StatusCodes.Status422UnprocessableEntity,
                        ProblemTypes.WebhookNotConfirmed,
                        "The endpoint did not confirm the webhook.",
                        $"{consent.Problem} Nothing was changed (CloudEvents webhook validation handshake).");
                }
            }

            if (await lookup.Store.UpdateAsync(id, update, cancellationToken) is not { } updated)
            {
                return null;
            }

            LogUpdated(id);
            return new JsonResponse<WebhookResponse>(StatusCodes.Status200OK, Describe(request, updated), ShopJsonContext.Default.WebhookResponse)
                .WithHeader("Cache-Control", "no-store");
        });
    }

    [Function(nameof(DeleteWebhook))]
    public Task<IActionResult> DeleteWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = WebhookRoutes.Subscription)] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        lookup.RunAsync(request, async () =>
        {
            if (await lookup.FindOwnedAsync(request, id, cancellationToken) is null || !await lookup.Store.DeleteAsync(id, cancellationToken))
            {
                return null;
            }

            LogDeleted(id);
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

            var grace = options.Value.SecretRotationGracePeriod;
            var rotated = await lookup.Store.RotateSecretAsync(id, WebhookSignatures.GenerateSecret(), grace, cancellationToken);
            if (rotated is null)
            {
                return null;
            }

            LogRotated(id, rotated.PreviousSecretExpiresAt ?? time.GetUtcNow());
            var answer = new RotateSecretResponse(rotated.Id, rotated.Secret, rotated.PreviousSecretExpiresAt ?? time.GetUtcNow());
            return new JsonResponse<RotateSecretResponse>(StatusCodes.Status200OK, answer, ShopJsonContext.Default.RotateSecretResponse)
                .WithHeader("Cache-Control", "no-store");
        });

    private WebhookResponse Describe(HttpRequest request, WebhookSubscriptionRow subscription) =>
        WebhookResponse.From(subscription, urls.Absolute(request, WebhookRoutes.DeliveriesPath(subscription.Id)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} updated")]
    private partial void LogUpdated(string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} deleted")]
    private partial void LogDeleted(string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} secret rotated; the previous one signs until {PreviousSecretExpiresAt}")]
    private partial void LogRotated(string webhookId, DateTimeOffset previousSecretExpiresAt);
}
