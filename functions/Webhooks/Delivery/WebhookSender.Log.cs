using Microsoft.Extensions.Logging;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>What an operator sees of a delivery: webhook id, host, status codes, errors. Never a secret or a signature.</summary>
internal sealed partial class WebhookSender
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} delivered to {Host} with {StatusCode} after {Attempts} attempt(s)")]
    private partial void LogDelivered(string webhookId, string host, int statusCode, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} attempt {Attempt} to {Host} failed: {Error}")]
    private partial void LogAttemptFailed(string webhookId, string host, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Host} failed after {Attempts} attempt(s): {Error}")]
    private partial void LogFailed(string webhookId, string host, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId}: {Host} answered 410 Gone and wants no more deliveries")]
    private partial void LogGone(string webhookId, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {WebhookId} to {Host} refused: {Reason}")]
    private partial void LogRefused(string webhookId, string host, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {WebhookId} to {Host} deferred: the circuit to the host is open")]
    private partial void LogDeferred(string webhookId, string host);
}
