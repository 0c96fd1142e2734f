using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Payments;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Payments;

/// <summary>The app's services with the Stripe gateway pointed at a <see cref="StripeStandIn"/>, against Azurite.</summary>
internal static class StripeTest
{
    public const string SecretKey = "sk_test_standin";
    public const string WebhookSecret = "whsec_standin_0123456789";

    public static Dictionary<string, string?> Settings(string apiBase) => new()
    {
        ["Payments:Provider"] = PaymentsOptions.StripeProvider,
        ["Payments:Stripe:SecretKey"] = SecretKey,
        ["Payments:Stripe:WebhookSecret"] = WebhookSecret,
        ["Payments:Stripe:ApiBase"] = apiBase,
        ["Payments:Stripe:RequestTimeout"] = StripeStandIn.ClientTimeout.ToString("c", CultureInfo.InvariantCulture),
    };

    public static async Task<ShopTestServices> StartAsync(AzuriteFixture azurite, string apiBase, Action<IServiceCollection>? configure = null)
    {
        var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, Settings(apiBase), configure);
        await shop.Tables.CreateTableIfNotExistsAsync(StorageTables.PaymentsStripe);
        await shop.Tables.CreateTableIfNotExistsAsync(StorageTables.Inbox);
        return shop;
    }

    public static ChargeRequest Charge(string orderId, string paymentMethod = StripeStandIn.Visa, decimal amount = PaymentsTest.Amount) =>
        new(orderId, paymentMethod, amount, PaymentsTest.Currency);

    /// <summary>
    /// A <c>Stripe-Signature</c> header as Stripe documents it (https://docs.stripe.com/webhooks#verify-manually):
    /// <c>t=timestamp,v1=hex(HMAC-SHA256(secret, "timestamp.payload"))</c>, computed here, not by Stripe.net.
    /// </summary>
    public static string Signature(string payload, DateTimeOffset at, string secret = WebhookSecret)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    /// <summary>The POSTs that created PaymentIntents (charges), in order.</summary>
    public static List<StripeCall> Creates(this StripeStandIn stripe, string orderId) =>
        stripe.Calls.Where(c => c.Method == "POST" && c.Path == "/v1/payment_intents" && c.Parameters.GetValueOrDefault("metadata[order_id]") == orderId).ToList();

    public static List<StripeCall> Refunds(this StripeStandIn stripe, string orderId) =>
        stripe.Calls.Where(c => c.Method == "POST" && c.Path == "/v1/refunds" && c.Parameters.GetValueOrDefault("metadata[order_id]") == orderId).ToList();
}
