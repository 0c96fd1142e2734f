using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>What became of a registration; <see cref="RegisterWebhookFunction"/> maps it to HTTP.</summary>
public abstract record RegisterWebhookResult
{
    private RegisterWebhookResult()
    {
    }

    /// <summary>Stored; the subscription carries its signing secret, shown this once.</summary>
    public sealed record Registered(WebhookSubscriptionRow Subscription) : RegisterWebhookResult;

    /// <summary>The URL's host resolves to an address the SSRF guard refuses.</summary>
    public sealed record DestinationRefused(string Reason) : RegisterWebhookResult;

    public sealed record LimitReached(int MaxSubscriptions) : RegisterWebhookResult;

    /// <summary>The validation handshake is required and the endpoint did not consent.</summary>
    public sealed record NotConfirmed(string Problem) : RegisterWebhookResult;

    /// <summary>Storage failed. <paramref name="OutcomeKnown"/>: nothing was stored; otherwise the webhook may have been.</summary>
    public sealed record Unavailable(bool OutcomeKnown) : RegisterWebhookResult;
}

/// <summary>
/// Registers a validated webhook for its owner: the destination guard on the resolved host, the subscription limit,
/// the optional CloudEvents validation handshake (<see cref="WebhookHandshake"/>), then one insert with a new secret.
/// Nothing is stored unless every check passed.
/// </summary>
public sealed partial class RegisterWebhookHandler(
    WebhookSubscriptionStore store,
    WebhookDestinationGuard guard,
    WebhookHandshake handshake,
    TimeProvider time,
    IOptions<WebhookOptions> options,
    ILogger<RegisterWebhookHandler> logger)
{
    public async Task<RegisterWebhookResult> HandleAsync(ValidWebhook webhook, string? owner, CancellationToken cancellationToken)
    {
        var destination = await guard.CheckAsync(webhook.Url, cancellationToken);
        if (!destination.IsAllowed)
        {
            LogDestinationRefused(webhook.Url.Host, destination.Reason);
            return new RegisterWebhookResult.DestinationRefused(destination.Reason ?? "The URL's address is not allowed.");
        }

        try
        {
            if ((await store.ListAsync(cancellationToken)).Count >= options.Value.MaxSubscriptions)
            {
                return new RegisterWebhookResult.LimitReached(options.Value.MaxSubscriptions);
            }

            if (handshake.IsRequired)
            {
                var consent = await handshake.ConfirmAsync(webhook.Url, cancellationToken);
                if (!consent.IsConfirmed)
                {
                    return new RegisterWebhookResult.NotConfirmed(consent.Problem ?? "The endpoint did not consent.");
                }
            }

            var now = time.GetUtcNow();
            var subscription = new WebhookSubscriptionRow
            {
                RowKey = WebhookIds.NewSubscriptionId(),
                Url = webhook.Url.AbsoluteUri,
                EventTypes = string.Join(',', webhook.EventTypes),
                Description = webhook.Description,
                CreatedAt = now,
                StatusChangedAt = now,
                Secret = WebhookSignatures.GenerateSecret(),
                Owner = owner,
            };
            await store.AddAsync(subscription, cancellationToken);
            LogRegistered(subscription.Id, webhook.Url.Host, subscription.EventTypes);
            return new RegisterWebhookResult.Registered(subscription);
        }
        catch (WriteOutcomeUnknownException ex)
        {
            LogStorageUnavailable(ex);
            return new RegisterWebhookResult.Unavailable(OutcomeKnown: false);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            LogStorageUnavailable(ex);
            return new RegisterWebhookResult.Unavailable(OutcomeKnown: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} registered for host {Host}, event types {EventTypes}")]
    private partial void LogRegistered(string webhookId, string host, string eventTypes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook registration for host {Host} refused: {Reason}")]
    private partial void LogDestinationRefused(string host, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook storage failed; the registration was refused with 503")]
    private partial void LogStorageUnavailable(Exception exception);
}
