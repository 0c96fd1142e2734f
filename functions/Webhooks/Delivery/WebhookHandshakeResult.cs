namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// The outcome of one validation handshake. <see cref="AllowedRate"/> is the endpoint's <c>WebHook-Allowed-Rate</c>
/// when it sent one: <c>*</c> or requests per minute (recorded, not enforced).
/// </summary>
public sealed record WebhookHandshakeResult(bool IsConfirmed, string? AllowedRate, string? Problem)
{
    public static WebhookHandshakeResult Confirmed(string? allowedRate) => new(true, allowedRate, null);

    public static WebhookHandshakeResult NotConfirmed(string problem) => new(false, null, problem);
}
