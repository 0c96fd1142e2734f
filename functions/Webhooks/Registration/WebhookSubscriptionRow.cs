using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Webhooks.Registration;

/// <summary>
/// A registered webhook, one row in the <c>Webhooks</c> table: PartitionKey <see cref="Partition"/> (every event
/// reads them all, so one partition keeps that a single query), RowKey = subscription id. The signing secrets are
/// stored because every delivery must be signed with them; they are never returned after registration or rotation.
/// </summary>
public sealed class WebhookSubscriptionRow : ITableEntity
{
    public const string Partition = "subscriptions";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Url { get; set; } = string.Empty;

    /// <summary>Event types joined by commas; <c>*</c> for every type.</summary>
    public string EventTypes { get; set; } = string.Empty;

    public string? Description { get; set; }

    public string Status { get; set; } = WebhookStatuses.Active;

    public string? StatusReason { get; set; }

    public DateTimeOffset StatusChangedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastDeliveredAt { get; set; }

    public string Secret { get; set; } = string.Empty;

    public string? PreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    /// <summary>
    /// The caller that registered it, as the gateway vouched for it (<see cref="Platform.Http.GatewayCaller"/>); null
    /// for function-key callers without one, who share one space. Only its owner lists, reads or changes it.
    /// </summary>
    public string? Owner { get; set; }

    public bool IsOwnedBy(string? caller) => string.Equals(Owner, caller, StringComparison.Ordinal);

    public string Id => RowKey;

    public IReadOnlyList<string> EventTypeList() => EventTypes.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string eventType) =>
        Status != WebhookStatuses.Disabled
        && EventTypeList().Any(type => type == WebhookEventTypes.All || type == eventType);

    /// <summary>The secrets that sign a delivery now: the current one, and the previous one during its grace period.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTimeOffset now) =>
        PreviousSecret is { Length: > 0 } previous && PreviousSecretExpiresAt > now ? [Secret, previous] : [Secret];
}

/// <summary>
/// <see cref="Active"/>: deliveries go out. <see cref="Failing"/>: a delivery exhausted its retries (or the address
/// was refused); deliveries still go out and the next success makes it active again. <see cref="Disabled"/>: the
/// endpoint answered 410 Gone; nothing is delivered any more.
/// </summary>
public static class WebhookStatuses
{
    public const string Active = nameof(Active);
    public const string Failing = nameof(Failing);
    public const string Disabled = nameof(Disabled);
}

public static class WebhookEventTypes
{
    /// <summary>Subscribes to every order event type.</summary>
    public const string All = "*";
}
