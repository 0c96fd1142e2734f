using System.Security.Cryptography;
using StandardWebhooks;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>Standard Webhooks signing (the <c>StandardWebhooks</c> package) and signing secrets.</summary>
public static class WebhookSignatures
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>Random bytes in a new secret; the spec asks for 24 to 64.</summary>
    public const int SecretBytes = 32;

    /// <summary>A new signing secret: <c>whsec_</c> and the base64 of <see cref="SecretBytes"/> random bytes.</summary>
    public static string GenerateSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>True for <c>whsec_</c> followed by the base64 of 24 to 64 bytes.</summary>
    public static bool IsValidSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var key = new byte[64];
        return Convert.TryFromBase64String(secret[SecretPrefix.Length..], key, out var length) && length is >= 24 and <= 64;
    }

    /// <summary>The <c>webhook-signature</c> header value: <c>v1,&lt;base64&gt;</c> per secret, separated by spaces.</summary>
    public static string Sign(string webhookId, DateTimeOffset timestamp, string body, IReadOnlyList<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            throw new ArgumentException("At least one signing secret is needed.", nameof(secrets));
        }

        var signatures = new string[secrets.Count];
        for (var i = 0; i < secrets.Count; i++)
        {
            if (!IsValidSecret(secrets[i]))
            {
                // The message names the position only: a secret never appears in an exception or a log.
                throw new ArgumentException($"Signing secret {i} is not a whsec_ secret of 24 to 64 bytes.", nameof(secrets));
            }

            signatures[i] = new StandardWebhook(secrets[i]).Sign(webhookId, timestamp, body);
        }

        return string.Join(' ', signatures);
    }
}
