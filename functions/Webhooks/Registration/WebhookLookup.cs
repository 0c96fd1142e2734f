using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// Runs one request's work on a subscription and maps what can go wrong to problems: an unknown (or malformed) id,
/// or one that another caller owns, is 404; failed storage is 503. A read changed nothing; a change may have been carried
/// out with its answer lost (the SDK resends a write whose response never came), so its 503 says so, and that repeating the
/// same request is safe: an update sets the same values, a delete answers 404 once done, a rotation hands out a fresh secret.
/// </summary>
public sealed partial class WebhookLookup(WebhookSubscriptionStore store, GatewayCaller gateway, ILogger<WebhookLookup> logger)
{
    public WebhookSubscriptionStore Store => store;

    /// <summary>The caller the gateway vouches for; null for a function-key caller without one (the shared space).</summary>
    public string? CallerOf(HttpRequest request) => gateway.Verified(request);

    /// <summary>The subscription when it exists and the request's caller owns it; null otherwise (either way a 404).</summary>
    public async Task<WebhookSubscriptionRow?> FindOwnedAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } subscription && subscription.IsOwnedBy(CallerOf(request)) ? subscription : null;

    /// <summary>The caller's own subscriptions.</summary>
    public async Task<List<WebhookSubscriptionRow>> ListOwnedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = CallerOf(request);
        return [.. (await store.ListAsync(cancellationToken)).Where(subscription => subscription.IsOwnedBy(caller))];
    }

    public async Task<IActionResult> RunAsync(HttpRequest request, Func<Task<IActionResult?>> work)
    {
        try
        {
            return await work() ?? NotFound(request);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex, request.Path.Value);
            return Problems.ServiceUnavailable(
                request.HttpContext,
                HttpMethods.IsGet(request.Method)
                    ? "Webhook storage is unavailable. Retry later."
                    : "Webhook storage is unavailable, and it is not known whether the change was made. Repeating the same request later is safe.");
        }
    }

    public static JsonResponse<Problem> NotFound(HttpRequest request) =>
        Problems.NotFound(request.HttpContext, "No webhook has that id.");

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook storage failed during {Path}; answered 503")]
    private partial void LogStorageUnavailable(Exception exception, string? path);
}
