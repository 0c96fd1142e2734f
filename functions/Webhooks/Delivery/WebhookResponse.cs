namespace Shop.Functions.Webhooks.Delivery;

/// <summary>What one attempt got back: the status code and the start of the body (for the error).</summary>
internal sealed record WebhookResponse(int StatusCode, string Excerpt)
{
    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>Worth a quick retry, and a failure of the host for its circuit breaker: 5xx, 408 Request Timeout, 429 Too Many Requests.</summary>
    public bool IsTransientFailure => StatusCode is >= 500 or 408 or 429;

    public string Describe() => Excerpt.Length == 0 ? $"HTTP {StatusCode}" : $"HTTP {StatusCode}: {Excerpt}";
}
