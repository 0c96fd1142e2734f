using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Shop.Functions.Tests.Webhooks.Receivers;

// The C# receiver of docs/webhooks.md ("Verifying a delivery"), byte for byte between the markers: the tests run it
// on real deliveries, and ShopWebhookVerifierInDocs checks that the page still shows this text.
// <recipe>
public static class ShopWebhookVerifier
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// True when <paramref name="body"/> (the raw bytes received) is signed with any of <paramref name="secrets"/>
    /// (every whsec_ secret you accept now: after a rotation, the new one and, until you drop it, the old one) and
    /// its webhook-timestamp is within 5 minutes of <paramref name="now"/>. Every v1 entry of the header counts.
    /// </summary>
    public static bool IsAuthentic(
        IEnumerable<string> secrets, string? webhookId, string? webhookTimestamp, string? webhookSignature, byte[] body, DateTimeOffset now)
    {
        if (webhookId is null || webhookSignature is null
            || !long.TryParse(webhookTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return false;
        }

        byte[] signed = [.. Encoding.UTF8.GetBytes($"{webhookId}.{webhookTimestamp}."), .. body];
        var received = new List<byte[]>();
        foreach (var entry in webhookSignature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var buffer = new byte[32];
            if (entry.StartsWith("v1,", StringComparison.Ordinal)
                && Convert.TryFromBase64String(entry[3..], buffer, out var length) && length == buffer.Length)
            {
                received.Add(buffer);
            }
        }

        foreach (var secret in secrets)
        {
            var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret[6..] : secret);
            var expected = HMACSHA256.HashData(key, signed);
            if (received.Any(signature => CryptographicOperations.FixedTimeEquals(signature, expected)))
            {
                return true;
            }
        }

        return false;
    }
}
// </recipe>
