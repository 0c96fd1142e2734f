using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Shop.Functions.Platform;

namespace Shop.Functions.Orders;

/// <summary>
/// Order ids are capabilities: anyone holding one can read the order, so they carry 128 bits that an
/// outsider cannot guess, either random or an HMAC of the caller's idempotency key. Shape:
/// <c>ord_</c> + 26 characters of lowercase base32 (URL-safe, valid as a Table key).
/// </summary>
public static class OrderIds
{
    private const string Prefix = "ord_";
    private const int IdBytes = 16;
    private const int EncodedLength = 26;
    private static readonly SearchValues<char> AlphabetValues = SearchValues.Create(Base32.Alphabet);

    public static string NewRandom() => Prefix + Base32.Encode(RandomNumberGenerator.GetBytes(IdBytes));

    /// <summary>The same caller and key always give the same id; another caller's same key gives another.</summary>
    public static string FromIdempotencyKey(byte[] secret, string callerId, string idempotencyKey)
    {
        var input = Encoding.UTF8.GetBytes($"{callerId.Length}:{callerId}\n{idempotencyKey}");
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, input, hash);
        return Prefix + Base32.Encode(hash[..IdBytes]);
    }

    /// <summary>True for ids this class could have made; anything else is answered 404 without a storage call.</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: EncodedLength + 4 }
        && id.StartsWith(Prefix, StringComparison.Ordinal)
        && id.AsSpan(Prefix.Length).IndexOfAnyExcept(AlphabetValues) < 0;
}
