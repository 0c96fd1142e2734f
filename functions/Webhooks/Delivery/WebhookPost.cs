namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// One delivery to one endpoint. <paramref name="Body"/> is the CloudEvent JSON, sent and signed byte for byte as
/// UTF-8. <paramref name="Secrets"/> are the subscription's current signing secrets (<c>whsec_...</c>); during a
/// rotation's grace period there are two, and each produces one signature. <paramref name="Timestamp"/> is when the
/// delivery was decided (the delivery log's clock); the sender stamps and signs every attempt, quick retries too, with
/// its own time: receivers reject old <c>webhook-timestamp</c>s.
/// </summary>
public sealed record WebhookPost(Uri Url, string WebhookId, DateTimeOffset Timestamp, string Body, IReadOnlyList<string> Secrets);
