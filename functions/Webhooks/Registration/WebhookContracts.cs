namespace Shop.Functions.Webhooks.Registration;

/// <summary>The body of <c>POST /api/webhooks</c>.</summary>
public sealed record RegisterWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description);

/// <summary>The body of <c>PATCH /api/webhooks/{id}</c>: the fields to change (at least one).</summary>
public sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string>? EventTypes, string? Description);

/// <summary>
/// A subscription as the API shows it. <see cref="Secret"/> is present only in the answer to its registration
/// (and <see cref="RotateSecretResponse"/> to a rotation): it is shown once.
/// </summary>
public sealed record WebhookResponse(
    string Id,
    string Url,
    IReadOnlyList<string> EventTypes,
    string? Description,
    string Status,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastDeliveredAt,
    DateTimeOffset? PreviousSecretExpiresAt,
    string DeliveriesUrl,
    string? Secret = null)
{
    public static WebhookResponse From(WebhookSubscriptionRow subscription, string deliveriesUrl, bool withSecret = false) => new(
        subscription.Id,
        subscription.Url,
        subscription.EventTypeList(),
        subscription.Description,
        subscription.Status,
        subscription.StatusReason,
        subscription.CreatedAt,
        subscription.LastDeliveredAt,
        subscription.PreviousSecretExpiresAt,
        deliveriesUrl,
        withSecret ? subscription.Secret : null);
}

public sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Items);

/// <summary>The new secret (shown once) and until when the previous one still signs.</summary>
public sealed record RotateSecretResponse(string Id, string Secret, DateTimeOffset PreviousSecretExpiresAt);
