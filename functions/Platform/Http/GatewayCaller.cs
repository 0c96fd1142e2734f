using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// The caller that the gateway vouches for. After validating an Entra ID token, API Management forwards its subject in
/// <see cref="CallerHeader"/> with <see cref="SignatureHeader"/> = <c>t=&lt;unix seconds&gt;,v1=&lt;base64
/// HMAC-SHA256("t.caller")&gt;</c> keyed with the shared <see cref="GatewayOptions.CallerSecret"/>, and removes any that
/// a client sent. A caller is trusted only with a valid, fresh signature: the header alone is what any client can send.
/// </summary>
public sealed class GatewayCaller(IOptions<GatewayOptions> options, TimeProvider time)
{
    public const string CallerHeader = "X-Shop-Caller";
    public const string SignatureHeader = "X-Shop-Caller-Signature";
    private const int MaxCallerLength = 128;

    private readonly byte[]? _secret = string.IsNullOrEmpty(options.Value.CallerSecret) ? null : Encoding.UTF8.GetBytes(options.Value.CallerSecret);
    private readonly TimeSpan _tolerance = options.Value.CallerTolerance;

    /// <summary>Whether a gateway signs callers for this app (its secret is configured).</summary>
    public bool Enabled => _secret is not null;

    /// <summary>The verified caller of <paramref name="request"/>; null without a gateway, a caller, or a valid signature.</summary>
    public string? Verified(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_secret is null
            || request.Headers[CallerHeader] is not [{ Length: > 0 and <= MaxCallerLength } caller]
            || request.Headers[SignatureHeader] is not [{ } signature]
            || !TryParse(signature, out var timestamp, out var mac))
        {
            return null;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (age.Duration() > _tolerance)
        {
            return null;
        }

        var expected = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{timestamp}.{caller}")));
        return CryptographicOperations.FixedTimeEquals(expected, mac) ? caller : null;
    }

    /// <summary>The signature header's value for <paramref name="caller"/> at <paramref name="at"/>, as the gateway writes it.</summary>
    public static string Sign(string secret, string caller, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(caller);
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{caller}"));
        return $"t={t},v1={Convert.ToBase64String(mac)}";
    }

    private static bool TryParse(string signature, out long timestamp, out byte[] mac)
    {
        timestamp = 0;
        mac = [];
        string? t = null, v1 = null;
        foreach (var part in signature.Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal))
            {
                t = part[2..];
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal))
            {
                v1 = part[3..];
            }
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out timestamp) || v1 is null)
        {
            return false;
        }

        var buffer = new byte[32];
        if (!Convert.TryFromBase64String(v1, buffer, out var written) || written != buffer.Length)
        {
            return false;
        }

        mac = buffer;
        return true;
    }
}
