using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// <c>POST /api/webhooks</c>: registers <c>{url, eventTypes, description?}</c> and answers 201 with the
/// subscription and its signing secret, which is never shown again. The URL must pass the SSRF guard now (its
/// host resolved) and is checked again at every delivery, on the address actually connected to. With
/// <c>Webhooks:ValidationHandshake</c> the endpoint must then consent (<see cref="WebhookHandshake"/>) before anything
/// is stored. Binds and validates, calls <see cref="RegisterWebhookHandler"/> and maps its result.
/// </summary>
public sealed class RegisterWebhookFunction(
    RegisterWebhookHandler handler,
    WebhookDestinationGuard guard,
    WebhookLookup lookup,
    PublicUrls urls)
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

        return await handler.HandleAsync(webhook, lookup.CallerOf(request), cancellationToken) switch
        {
            RegisterWebhookResult.Registered registered => Created(request, registered.Subscription),
            RegisterWebhookResult.DestinationRefused refused =>
                Problems.Validation(http, new Dictionary<string, string[]> { ["url"] = [refused.Reason] }),
            RegisterWebhookResult.LimitReached limit => Problems.Create(
                http,
                StatusCodes.Status422UnprocessableEntity,
                ProblemTypes.WebhookLimitReached,
                "No more webhooks can be registered.",
                $"At most {limit.MaxSubscriptions} are allowed; delete one first."),
            RegisterWebhookResult.NotConfirmed refused => Problems.Create(
                http,
                StatusCodes.Status422UnprocessableEntity,
                ProblemTypes.WebhookNotConfirmed,
                "The endpoint did not confirm the webhook.",
                $"{refused.Problem} Nothing was registered (CloudEvents webhook validation handshake)."),
            RegisterWebhookResult.Unavailable { OutcomeKnown: false } => Problems.ServiceUnavailable(
                http,
                "Storage failed while the webhook was being stored, and it is not known whether it was. List your webhooks " +
                "(GET /api/webhooks) before registering again; delete it if it is there, as its secret was not returned."),
            _ => Problems.ServiceUnavailable(http, "The webhook could not be stored; nothing was registered. Retry later."),
        };
    }

    private JsonResponse<WebhookResponse> Created(HttpRequest request, WebhookSubscriptionRow subscription)
    {
        var location = urls.Absolute(request, WebhookRoutes.SubscriptionPath(subscription.Id));
        var answer = WebhookResponse.From(subscription, urls.Absolute(request, WebhookRoutes.DeliveriesPath(subscription.Id)), withSecret: true);
        return new JsonResponse<WebhookResponse>(StatusCodes.Status201Created, answer, ShopJsonContext.Default.WebhookResponse)
            .WithHeader("Location", location)
            .WithHeader("Cache-Control", "no-store");
    }
}
