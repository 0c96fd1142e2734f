namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// One delivery to one endpoint. <paramref name="Body"/> is the CloudEvent JSON, sent and signed byte for byte as
/// UTF-8. <paramref name="Secrets"/> are the subscription's current signing secrets (<c>whsec_...</c>); during a
/// rotation's grace period there are two, and each produces one signature. <paramref name="Timestamp"/> is what the
/// <c>webhook-timestamp</c> header says: receivers reject old ones, so a later redelivery should carry a new one.
/// </summary>
public sealed record WebhookPost(Uri Url, string WebhookId, DateTimeOffset Timestamp, string Body, IReadOnlyList<string> Secrets);
