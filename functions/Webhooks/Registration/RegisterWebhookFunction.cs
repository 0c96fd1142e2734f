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
/// <c>POST /api/webhooks</c>: registers <c>{url, eventTypes, description?}</c> and answers 201 with the
/// subscription and its signing secret, which is never shown again. The URL must pass the SSRF guard now (its
/// host resolved) and is checked again at every delivery, on the address actually connected to. With
/// <c>Webhooks:ValidationHandshake</c> the endpoint must then consent (<see cref="WebhookHandshake"/>) before anything
/// is stored.
/// </summary>
public sealed partial class RegisterWebhookFunction(
    WebhookSubscriptionStore store,
    WebhookDestinationGuard guard,
    WebhookHandshake handshake,
    WebhookLookup lookup,
    PublicUrls urls,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<RegisterWebhookFunction> logger)
{
    public const int MaxBodyBytes = 16 * 1024;

    [Function(nameof(RegisterWebhook))]
    public async Task<IActionResult> RegisterWebhook(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = WebhookRoutes.Collection)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var http = request.HttpContext;
        var body = await JsonRequestReader.ReadAsync(request, ShopJsonContext.Default.RegisterWebhookRequest, MaxBodyBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var errors = RegisterWebhookValidator.Validate(body.Value!, guard, out var webhook);
        if (webhook is null)
        {
            return Problems.Validation(http, errors);
        }

        var destination = await guard.CheckAsync(webhook.Url, cancellationToken);
        if (!destination.IsAllowed)
        {
            LogDestinationRefused(webhook.Url.Host, destination.Reason);
            return Problems.Validation(http, new Dictionary<string, string[]> { ["url"] = [destination.Reason ?? "The URL's address is not allowed."] });
        }

        try
        {
            if ((await store.ListAsync(cancellationToken)).Count >= options.Value.MaxSubscriptions)
            {
                return Problems.Create(
                    http,
                    StatusCodes.Status422UnprocessableEntity,
                    ProblemTypes.WebhookLimitReached,
                    "No more webhooks can be registered.",
                    $"At most {options.Value.MaxSubscriptions} are allowed; delete one first.");
            }

            if (handshake.IsRequired)
            {
                var consent = await handshake.ConfirmAsync(webhook.Url, cancellationToken);
                if (!consent.IsConfirmed)
                {
                    return Problems.Create(
                        http,
                        StatusCodes.Status422UnprocessableEntity,
                        ProblemTypes.WebhookNotConfirmed,
                        "The endpoint did not confirm the webhook.",
                        $"{consent.Problem} Nothing was registered (CloudEvents webhook validation handshake).");
                }
            }

            var now = time.GetUtcNow();
            var subscription = new WebhookSubscriptionEntity
            {
                RowKey = WebhookIds.NewSubscriptionId(),
                Url = webhook.Url.AbsoluteUri,
                EventTypes = string.Join(',', webhook.EventTypes),
                Description = webhook.Description,
                CreatedAt = now,
                StatusChangedAt = now,
                Secret = WebhookSignatures.GenerateSecret(),
                Owner = lookup.CallerOf(request),
            };
            await store.AddAsync(subscription, cancellationToken);
            LogRegistered(subscription.Id, webhook.Url.Host, subscription.EventTypes);

            var location = urls.Absolute(request, WebhookRoutes.SubscriptionPath(subscription.Id));
            var answer = WebhookResponse.From(subscription, urls.Absolute(request, WebhookRoutes.DeliveriesPath(subscription.Id)), withSecret: true);
            return new JsonResponse<WebhookResponse>(StatusCodes.Status201Created, answer, ShopJsonContext.Default.WebhookResponse)
                .WithHeader("Location", location)
                .WithHeader("Cache-Control", "no-store");
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex);
            return Problems.ServiceUnavailable(http, "The webhook could not be stored; nothing was registered. Retry later.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} registered for host {Host}, event types {EventTypes}")]
    private partial void LogRegistered(string webhookId, string host, string eventTypes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook registration for host {Host} refused: {Reason}")]
    private partial void LogDestinationRefused(string host, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook storage failed; the registration was refused with 503")]
    private partial void LogStorageUnavailable(Exception exception);
}
