using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Shop.Functions.Orders;

namespace Shop.Functions.Webhooks;

/// <summary>
/// The secret that signs deliveries to an order's <c>callbackUrl</c>. Nothing is stored: it is derived from the
/// app's secret and the order id (HMAC with its own label, so it reveals nothing about idempotency keys), returned
/// to the client in the order's 202 answer, and derived again at each delivery.
/// </summary>
public sealed class CallbackSecrets(IOptions<OrdersOptions> options)
{
    private const string Label = "webhook-callback-secret\n";

    public string For(string orderId)
    {
        var key = options.Value.IdempotencySecretBytes();
        var secret = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Label + orderId));
        return "whsec_" + Convert.ToBase64String(secret);
    }
}
