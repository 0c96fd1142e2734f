namespace Shop.Functions.Platform;

/// <summary>
/// Lowercase base32 without padding (RFC 4648 alphabet): URL-safe, valid in Table keys and Service Bus message ids.
/// The ids the app makes (<c>ord_</c>, <c>whk_</c>, <c>dlv_</c>) use it.
/// </summary>
public static class Base32
{
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Characters needed for <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount) => ((byteCount * 8) + 4) / 5;

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[EncodedLength(bytes.Length)];
        int buffer = 0, bits = 0, written = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[written++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[written++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars[..written]);
    }
}
