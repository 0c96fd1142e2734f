namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>One delivery as <c>GET /api/webhooks/{id}/deliveries</c> shows it.</summary>
public sealed record WebhookDeliveryResponse(
    string Id,
    string EventId,
    string EventType,
    string OrderId,
    long Sequence,
    string Status,
    int Round,
    int AttemptCount,
    IReadOnlyList<WebhookAttemptRecord> Attempts,
    int? LastStatusCode,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    DateTimeOffset? NextAttemptAt)
{
    public static WebhookDeliveryResponse From(WebhookDeliveryRow row) => new(
        row.Id,
        row.EventId,
        row.EventType,
        row.OrderId,
        row.Sequence,
        row.Status,
        row.Round,
        row.AttemptCount,
        row.GetAttempts(),
        row.LastStatusCode,
        row.LastError,
        row.CreatedAt,
        row.DeliveredAt,
        row.NextAttemptAt);
}

/// <summary>A page of deliveries, newest event first; <see cref="Next"/> is the next page's URL, if there may be one.</summary>
public sealed record WebhookDeliveryListResponse(IReadOnlyList<WebhookDeliveryResponse> Items, string? Next);

/// <summary>The 202 body of a redelivery: the round that will be posted.</summary>
public sealed record RedeliverResponse(string DeliveryId, int Round, string DeliveriesUrl);
