using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Webhooks.DeliveryLog;

/// <summary>
/// One delivery (one event to one endpoint) in the <c>WebhookDeliveries</c> table: PartitionKey = the subscription id
/// (or <c>callback-{orderId}</c>), RowKey = the delivery id, which sorts newest first. It records every attempt and
/// serves as the idempotency record: a delivery <see cref="WebhookDeliveryStatuses.IsSettled">settled</see> in its
/// round is not posted again, and a lease keeps two copies of one command from posting at the same time.
/// </summary>
public sealed class WebhookDeliveryRow : ITableEntity
{
    /// <summary>The log keeps the latest attempts; a property holds at most 64 KiB.</summary>
    public const int MaxAttemptsKept = 50;

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string SubscriptionId { get; set; } = string.Empty;

    public string OrderId { get; set; } = string.Empty;

    public string EventId { get; set; } = string.Empty;

    public string EventType { get; set; } = string.Empty;

    public long Sequence { get; set; }

    public string Url { get; set; } = string.Empty;

    public string Status { get; set; } = WebhookDeliveryStatuses.Pending;

    public int Round { get; set; }

    public int AttemptCount { get; set; }

    public string Attempts { get; set; } = "[]";

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public DateTimeOffset? NextAttemptAt { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>The CloudEvent as JSON, kept for redelivery.</summary>
    public string Event { get; set; } = string.Empty;

    public string Id => RowKey;

    public List<WebhookAttemptRecord> GetAttempts() =>
        JsonSerializer.Deserialize(Attempts, ShopJsonContext.Default.ListWebhookAttemptRecord) ?? [];

    public void AddAttempts(IEnumerable<WebhookAttemptRecord> attempts)
    {
        var added = attempts.ToList();
        var all = GetAttempts();
        all.AddRange(added);
        AttemptCount += added.Count;
        Attempts = JsonSerializer.Serialize(all.TakeLast(MaxAttemptsKept).ToList(), ShopJsonContext.Default.ListWebhookAttemptRecord);
    }
}

/// <summary>One HTTP attempt as the delivery log shows it.</summary>
public sealed record WebhookAttemptRecord(DateTimeOffset At, int DurationMs, int? StatusCode, string? Error, int Round);

public static class WebhookDeliveryStatuses
{
    public const string Pending = nameof(Pending);
    public const string Delivering = nameof(Delivering);
    public const string Delivered = nameof(Delivered);

    /// <summary>Failed for now; <see cref="WebhookDeliveryRow.NextAttemptAt"/> says when it is tried again.</summary>
    public const string Retrying = nameof(Retrying);

    /// <summary>Not attempted: the destination's circuit is open. Tried again at the next attempt time.</summary>
    public const string Deferred = nameof(Deferred);

    /// <summary>Every attempt failed; the command was dead-lettered and the subscription marked failing.</summary>
    public const string Failed = nameof(Failed);

    /// <summary>The endpoint answered 410 Gone: the subscription was disabled.</summary>
    public const string Gone = nameof(Gone);

    /// <summary>The destination resolved to an address the SSRF guard refuses; nothing was sent.</summary>
    public const string Refused = nameof(Refused);

    /// <summary>Nothing more happens to the delivery in its round.</summary>
    public static bool IsSettled(string status) => status is Delivered or Gone;
}
