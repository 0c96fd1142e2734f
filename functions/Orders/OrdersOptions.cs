using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Orders;

public sealed class OrdersOptions
{
    public const string SectionName = "Orders";

    /// <summary>
    /// Keys the HMAC that turns an Idempotency-Key into an order id (base64, at least 32 bytes). Changing it
    /// forgets which keys were used, so set it once per environment and keep it in Key Vault or app settings.
    /// </summary>
    [Required]
    [MinLength(44)]
    public string IdempotencySecret { get; set; } = string.Empty;

    /// <summary>
    /// How long after an order was accepted its Idempotency-Key is still answered with it at the door, whatever became of
    /// the order: a closed open-orders entry keeps the key's request hash until then (24 h, as Stripe keeps its keys). A
    /// key reused later with the same body gets the first order's id again; with another body, the first order stays and
    /// the new body is not kept (logged), since the door can no longer tell without a second read.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Seconds a client should wait between status polls (the Retry-After header).</summary>
    [Range(1, 3600)]
    public int StatusPollSeconds { get; set; } = 2;

    /// <summary>The largest order submission body accepted.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    public byte[] IdempotencySecretBytes() => Convert.FromBase64String(IdempotencySecret);
}
