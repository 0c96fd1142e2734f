namespace Shop.Functions.Platform.Http;

/// <summary>An RFC 9457 problem document. <see cref="Errors"/> lists field errors by JSON path.</summary>
public sealed record Problem(
    string Type,
    string Title,
    int Status,
    string? Detail = null,
    string? Instance = null,
    string? TraceId = null,
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The problem types Shop answers with. Clients can branch on <c>type</c>; titles are for people.</summary>
public static class ProblemTypes
{
    public const string MalformedJson = "urn:shop:problem:malformed-json";
    public const string ValidationFailed = "urn:shop:problem:validation-failed";
    public const string PayloadTooLarge = "urn:shop:problem:payload-too-large";
    public const string UnsupportedMediaType = "urn:shop:problem:unsupported-media-type";
    public const string NotFound = "urn:shop:problem:not-found";
    public const string IdempotencyKeyReused = "urn:shop:problem:idempotency-key-reused";
    public const string DependencyUnavailable = "urn:shop:problem:dependency-unavailable";
    public const string OrderNotCancellable = "urn:shop:problem:order-not-cancellable";
    public const string DeadLetterLocked = "urn:shop:problem:dead-letter-locked";
    public const string WebhookLimitReached = "urn:shop:problem:webhook-limit-reached";
    public const string WebhookNotConfirmed = "urn:shop:problem:webhook-not-confirmed";
    public const string UnknownSku = "urn:shop:problem:unknown-sku";
    public const string ReceiptIdReused = "urn:shop:problem:receipt-id-reused";
    public const string InvalidSignature = "urn:shop:problem:invalid-signature";
    public const string NotYourAccount = "urn:shop:problem:not-your-account";
}
