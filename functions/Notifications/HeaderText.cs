using System.Globalization;
using System.Text;

namespace Shop.Functions.Notifications;

/// <summary>
/// Text that goes into an e-mail header stays on its line: line breaks and control characters become spaces, and
/// anything beyond printable ASCII travels as RFC 2047 encoded words (UTF-8, base64). Nothing a customer typed into
/// their name can end a header or start one of its own.
/// </summary>
public static class HeaderText
{
    public const int MaxLength = 200;

    // An encoded word has at most 75 characters: "=?utf-8?B?" and "?=" leave 63 for base64, which holds 45 bytes.
    private const int MaxEncodedWordBytes = 45;

    // Whitespace between two encoded words is dropped when they are decoded, so a long value folds between words.
    private const string Fold = "\r\n ";

    public static bool IsLineBreakOrControl(char c) =>
        char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    /// <summary>
    /// One line: control characters and every kind of white space or line break become one space between words; the
    /// ends are trimmed; unpaired surrogates become U+FFFD; at most <paramref name="maxLength"/> characters.
    /// </summary>
    public static string SingleLine(string? text, int maxLength = MaxLength)
    {
        var line = new StringBuilder(text?.Length ?? 0);
        var pendingSpace = false;
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in (text ?? string.Empty).EnumerateRunes())
        {
            if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune))
            {
                pendingSpace = line.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                line.Append(' ');
                pendingSpace = false;
            }

            line.Append(utf16[..rune.EncodeToUtf16(utf16)]);
        }

        if (line.Length > maxLength)
        {
            line.Length = char.IsHighSurrogate(line[maxLength - 1]) ? maxLength - 1 : maxLength;
        }

        return line.ToString().TrimEnd();
    }

    /// <summary>A mailbox header value: <c>"Ada Lovelace" &lt;ada@example.com&gt;</c>, or the bare address when there is no name.</summary>
    /// <exception cref="ArgumentException"><paramref name="address"/> is not one valid address (<see cref="EmailAddresses.IsValid"/>).</exception>
    public static string Mailbox(string? displayName, string address)
    {
        if (!EmailAddresses.IsValid(address))
        {
            throw new ArgumentException("The value is not a single e-mail address.", nameof(address));
        }

        var name = SingleLine(displayName);
        return name.Length == 0 ? address : $"{Phrase(name)} <{address}>";
    }

    /// <summary>A display name: a quoted string when it is printable ASCII, else encoded words.</summary>
    public static string Phrase(string? text)
    {
        var line = SingleLine(text);
        return IsPlain(line)
            ? $"\"{line.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\""
            : EncodedWords(line);
    }

    /// <summary>An unstructured value (the Subject): as is when it is printable ASCII, else encoded words.</summary>
    public static string Unstructured(string? text)
    {
        var line = SingleLine(text);
        return IsPlain(line) ? line : EncodedWords(line);
    }

    // "=?" could be read as the start of an encoded word, so text containing it is encoded too.
    private static bool IsPlain(string line) =>
        line.All(c => c is >= ' ' and <= '~') && !line.Contains("=?", StringComparison.Ordinal);

    private static string EncodedWords(string line)
    {
        var words = new List<string>();
        Span<byte> word = stackalloc byte[MaxEncodedWordBytes];
        Span<byte> utf8 = stackalloc byte[4];
        var used = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(utf8);
            if (used + length > MaxEncodedWordBytes)
            {
                words.Add(EncodedWord(word[..used]));
                used = 0;
            }

            utf8[..length].CopyTo(word[used..]);
            used += length;
        }

        if (used > 0)
        {
            words.Add(EncodedWord(word[..used]));
        }

        return string.Join(Fold, words);
    }

    private static string EncodedWord(ReadOnlySpan<byte> utf8) => $"=?utf-8?B?{Convert.ToBase64String(utf8)}?=";
}
