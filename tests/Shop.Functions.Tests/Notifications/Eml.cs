using System.Text;
using System.Text.RegularExpressions;

namespace Shop.Functions.Tests.Notifications;

/// <summary>An .eml file read back as a mail client would: raw header lines, unfolded headers, the body.</summary>
internal sealed partial record Eml(string Text, IReadOnlyList<string> HeaderLines, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public static Eml Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..end].Split("\r\n");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in lines)
        {
            if (line.StartsWith(' ') || line.StartsWith('\t'))
            {
                headers[last!] += line;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            last = line[..colon];
            headers.Add(last, line[(colon + 1)..].TrimStart());
        }

        return new Eml(text, lines, headers, text[(end + 4)..]);
    }

    /// <summary>A header value with its RFC 2047 encoded words decoded.</summary>
    public string Decoded(string header) =>
        EncodedWord().Replace(
            Headers[header].Replace("?= =?", "?==?", StringComparison.Ordinal),
            match => Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups[1].Value)));

    [GeneratedRegex(@"=\?utf-8\?B\?([A-Za-z0-9+/=]*)\?=")]
    private static partial Regex EncodedWord();
}
