using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>What a change of a webhook came to; the trigger maps each case to its HTTP answer.</summary>
public abstract record WebhookChangeResult
{
    private WebhookChangeResult()
    {
    }

    /// <summary>No such webhook (404); nothing was written.</summary>
    public sealed record NotFound : WebhookChangeResult;

    /// <summary>The new url's address is not allowed (the SSRF guard, 400); nothing was written.</summary>
    public sealed record UrlRefused(string Reason) : WebhookChangeResult;

    /// <summary>The new endpoint did not confirm the webhook (validation handshake, 422); nothing was written.</summary>
    public sealed record NotConfirmed(string Problem) : WebhookChangeResult;

    /// <summary>The webhook as it is now.</summary>
    public sealed record Changed(WebhookSubscriptionRow Subscription, DateTimeOffset? PreviousSecretExpiresAt = null) : WebhookChangeResult;
}

/// <summary>
/// The changes behind <see cref="WebhookSubscriptionFunctions"/>, for a webhook whose owner the trigger has checked: a
/// new url passes the SSRF guard (and the validation handshake, when required) before anything is written.
/// </summary>
public sealed partial class WebhookSubscriptionHandler(
    WebhookSubscriptionStore store,
    WebhookDestinationGuard guard,
    WebhookHandshake handshake,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<WebhookSubscriptionHandler> logger)
{
    public async Task<WebhookChangeResult> UpdateAsync(string id, ValidWebhookUpdate update, CancellationToken cancellationToken)
    {
        if (update.Url is { } url)
        {
            var destination = await guard.CheckAsync(url, cancellationToken);
            if (!destination.IsAllowed)
            {
                return new WebhookChangeResult.UrlRefused(destination.Reason ?? "The URL's address is not allowed.");
            }

            if (handshake.IsRequired && await handshake.ConfirmAsync(url, cancellationToken) is { IsConfirmed: false } consent)
            {
                return new WebhookChangeResult.NotConfirmed(consent.Problem ?? "The endpoint did not confirm.");
            }
        }

        if (await store.UpdateAsync(id, update, cancellationToken) is not { } updated)
        {
            return new WebhookChangeResult.NotFound();
        }

        LogUpdated(id);
        return new WebhookChangeResult.Changed(updated);
    }

    /// <summary>A new signing secret; the previous one signs too until the grace period ends.</summary>
    public async Task<WebhookChangeResult> RotateSecretAsync(string id, CancellationToken cancellationToken)
    {
        var rotated = await store.RotateSecretAsync(id, WebhookSignatures.GenerateSecret(), options.Value.SecretRotationGracePeriod, cancellationToken);
        if (rotated is null)
        {
            return new WebhookChangeResult.NotFound();
        }

        var previousExpires = rotated.PreviousSecretExpiresAt ?? time.GetUtcNow();
        LogRotated(id, previousExpires);
        return new WebhookChangeResult.Changed(rotated, previousExpires);
    }

    /// <summary>True when the webhook was there and is gone now.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(id, cancellationToken))
        {
            return false;
        }

        LogDeleted(id);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} updated")]
    private partial void LogUpdated(string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} deleted")]
    private partial void LogDeleted(string webhookId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} secret rotated; the previous one signs until {PreviousSecretExpiresAt}")]
    private partial void LogRotated(string webhookId, DateTimeOffset previousSecretExpiresAt);
}
