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

    /// <summary>Seconds a client should wait between status polls (the Retry-After header).</summary>
    [Range(1, 3600)]
    public int StatusPollSeconds { get; set; } = 2;

    /// <summary>The largest order submission body accepted.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    public byte[] IdempotencySecretBytes() => Convert.FromBase64String(IdempotencySecret);
}
