namespace Shop.Functions.Webhooks.Delivery;

public enum WebhookPostStatus
{
    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>Not delivered after the quick retries (5xx, 408, 429, network error, timeout), or at once (other 3xx/4xx). Worth a later redelivery.</summary>
    Failed,

    /// <summary>The endpoint answered 410 Gone: it wants no more deliveries.</summary>
    Gone,

    /// <summary>The destination is not allowed (scheme, user info, or an address the SSRF guard forbids). Nothing was sent; retrying will not help.</summary>
    Refused,

    /// <summary>The circuit to the destination host is open: nothing was attempted. Try again later.</summary>
    Deferred,
}

/// <summary>One HTTP attempt: when it started, how long it took, and the status code or, when there is none, the error.</summary>
public sealed record WebhookAttempt(DateTimeOffset StartedAt, TimeSpan Duration, int? StatusCode, string? Error);

/// <summary>The outcome of <see cref="IWebhookSender.PostAsync"/>, with every attempt it made. <paramref name="Error"/> says why it was not delivered.</summary>
public sealed record WebhookPostResult(WebhookPostStatus Status, IReadOnlyList<WebhookAttempt> Attempts, string? Error);
