namespace Shop.Functions.Webhooks.Delivery;

/// <summary>Sends one signed webhook, with a few quick retries, a circuit breaker per destination host and the SSRF guard.</summary>
public interface IWebhookSender
{
    /// <summary>Never throws for what the endpoint does (that is the result); throws only when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task<WebhookPostResult> PostAsync(WebhookPost post, CancellationToken cancellationToken);
}
