using System.Text.Json;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;
using Shop.Functions.Webhooks.Dispatch;

namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>What a redelivery request came to; the trigger maps each case to its HTTP answer.</summary>
public abstract record RedeliverResult
{
    private RedeliverResult()
    {
    }

    /// <summary>The webhook has no delivery with that id (404).</summary>
    public sealed record NoSuchDelivery : RedeliverResult;

    /// <summary>The command could not be sent, or its answer was lost (503); a retry asks for the same round.</summary>
    public sealed record Unavailable : RedeliverResult;

    /// <summary>The redelivery is queued as <paramref name="Round"/> of <paramref name="DeliveryId"/> (202).</summary>
    public sealed record Queued(string DeliveryId, int Round) : RedeliverResult;
}

/// <summary>
/// The delivery log's use cases behind <see cref="WebhookDeliveryFunctions"/>, for a webhook whose owner the trigger has
/// checked: a page of deliveries, newest first, and a redelivery as a new round of a logged delivery.
/// </summary>
public sealed partial class WebhookDeliveryHandler(WebhookDeliveryLog log, IMessageSender sender, ILogger<WebhookDeliveryHandler> logger)
{
    /// <summary>One page of the webhook's deliveries; <c>HasMore</c> when the page is full (the next starts after its last).</summary>
    public async Task<(IReadOnlyList<WebhookDeliveryRow> Rows, bool HasMore)> ListAsync(string webhookId, int top, string? after, CancellationToken cancellationToken)
    {
        var rows = await log.ListAsync(webhookId, top, after, cancellationToken);
        return (rows, rows.Count == top);
    }

    /// <summary>
    /// Sends the logged event again as round <c>row.Round + 1</c>. Two requests at once, or a retry after a lost answer,
    /// compute the same round and so the same message id: Service Bus keeps one.
    /// </summary>
    public async Task<RedeliverResult> RedeliverAsync(string webhookId, string deliveryId, CancellationToken cancellationToken)
    {
        var row = await log.FindAsync(webhookId, deliveryId, cancellationToken);
        var orderEvent = row is null ? null : JsonSerializer.Deserialize(row.Event, ShopJsonContext.Default.OrderEvent);
        if (row is null || orderEvent is null)
        {
            return new RedeliverResult.NoSuchDelivery();
        }

        var command = new DeliverWebhook(row.Id, webhookId, orderEvent, Round: row.Round + 1);
        try
        {
            await sender.SendAsync(command.ToMessage(), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSendFailed(ex, deliveryId);
            return new RedeliverResult.Unavailable();
        }

        LogRedeliveryRequested(deliveryId, command.Round);
        return new RedeliverResult.Queued(row.Id, command.Round);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} redelivery round {Round} requested")]
    private partial void LogRedeliveryRequested(string deliveryId, int round);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook delivery {DeliveryId}: the redelivery could not be queued")]
    private partial void LogSendFailed(Exception exception, string deliveryId);
}
