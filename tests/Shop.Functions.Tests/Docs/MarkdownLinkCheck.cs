using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Shop.Functions.Tests.Docs;

/// <summary>
/// Reads the links of a repository's Markdown files as GitHub renders them and says which ones do not hold: a relative
/// link must name a file or folder inside the repository (and a heading of a Markdown target, by GitHub's anchor
/// slugs); any other link must go to a public web site (http or https, not a loopback, private or local host), or be a
/// <c>mailto:</c>. Code blocks and code spans are not links.
/// </summary>
public static partial class MarkdownLinkCheck
{
    /// <summary>Folders that are build output, installed packages or local data, never part of a clone.</summary>
    private static readonly HashSet<string> NotInAClone = new(StringComparer.Ordinal)
    {
        ".git", "bin", "obj", "node_modules", "TestResults", "BenchmarkDotNet.Artifacts", ".azure", ".azurite", ".maildev", ".vs",
    };

    /// <summary>Every Markdown file under <paramref name="root"/>, relative to it with '/', outside the folders above.</summary>
    public static IReadOnlyList<string> MarkdownFiles(string root)
    {
        var files = new List<string>();
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var folder = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                if (!NotInAClone.Contains(Path.GetFileName(sub)) && !new DirectoryInfo(sub).Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    pending.Push(sub);
                }
            }

            files.AddRange(Directory.EnumerateFiles(folder, "*.md").Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')));
        }

        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>What is wrong with the links of one Markdown file (<paramref name="file"/> relative to <paramref name="root"/>).</summary>
    public static IReadOnlyList<string> Problems(string root, string file)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var path = Path.GetFullPath(Path.Combine(root, file));
        var problems = new List<string>();
        foreach (var link in Links(File.ReadAllText(path)))
        {
            var problem = Check(root, path, link.Destination);
            if (problem is not null)
            {
                problems.Add($"{file}:{link.Line}: ({link.Destination}) {problem}");
            }
        }

        return problems;
    }

    /// <summary>The destinations of inline links and images, reference definitions, autolinks and HTML href/src.</summary>
    public static IReadOnlyList<(int Line, string Destination)> Links(string markdown)
    {
        var links = new List<(int, string)>();
        var lines = ProseLines(markdown);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = CodeSpan().Replace(lines[i], match => new string(' ', match.Length));
            foreach (var regex in new[] { InlineLink(), ReferenceDefinition(), AutoLink(), HtmlLink() })
            {
                foreach (Match match in regex.Matches(line))
                {
                    links.Add((i + 1, match.Groups["dest"].Value.Trim('<', '>')));
                }
            }
        }

        return links;
    }

    /// <summary>The anchors GitHub gives a Markdown file: one per heading (slugged, duplicates numbered), and HTML ids.</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = ProseLines(markdown);
        for (var i = 0; i < lines.Count; i++)
        {
            string? heading = null;
            var atx = AtxHeading().Match(lines[i]);
            if (atx.Success)
            {
                heading = atx.Groups["text"].Value;
            }
            else if (i + 1 < lines.Count && lines[i].Trim().Length > 0 && !lines[i].TrimStart().StartsWith('|') && SetextUnderline().IsMatch(lines[i + 1]))
            {
                heading = lines[i];
            }

            if (heading is not null)
            {
                var slug = Slug(heading);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }

            foreach (Match id in HtmlAnchor().Matches(lines[i]))
            {
                anchors.Add(id.Groups["id"].Value);
            }
        }

        return anchors;
    }

    /// <summary>
    /// GitHub's heading anchor (github-slugger): the heading's text as rendered (code, link and emphasis marks gone),
    /// lower case, every character that is not a letter, digit, '-', '_' or space dropped, each space a '-'.
    /// </summary>
    public static string Slug(string heading)
    {
        var text = MarkdownLinkText().Replace(heading, "${text}");
        text = HtmlTag().Replace(text, string.Empty).Trim();
        var slug = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    private static string? Check(string root, string file, string destination)
    {
        if (destination.Length == 0)
        {
            return "is empty";
        }

        if (destination.StartsWith("//", StringComparison.Ordinal))
        {
            destination = "https:" + destination;
        }

        if (Scheme().IsMatch(destination))
        {
            return CheckAbsolute(destination);
        }

        var hash = destination.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash < 0 ? null : Uri.UnescapeDataString(destination[(hash + 1)..]);
        var relative = Uri.UnescapeDataString((hash < 0 ? destination : destination[..hash]).Split('?')[0]);
        var target = relative.Length == 0
            ? file
            : Path.GetFullPath(relative.StartsWith('/') ? Path.Combine(root, relative.TrimStart('/')) : Path.Combine(Path.GetDirectoryName(file)!, relative));
        if (!target.Equals(root, StringComparison.Ordinal) && !target.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return "leaves the repository";
        }

        var segments = Path.GetRelativePath(root, target).Split(Path.DirectorySeparatorChar);
        if (segments.Any(NotInAClone.Contains))
        {
            return "points into a folder a clone does not have";
        }

        if (!File.Exists(target) && !Directory.Exists(target))
        {
            return "names no file or folder of the repository";
        }

        if (fragment is { Length: > 0 } && target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && File.Exists(target)
            && !Anchors(File.ReadAllText(target)).Contains(fragment))
        {
            return $"names no heading of {Path.GetRelativePath(root, target).Replace('\\', '/')}";
        }

        return null;
    }

    private static string? CheckAbsolute(string destination)
    {
        if (destination.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!Uri.TryCreate(destination, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "is neither a web address nor a path in the repository";
        }

        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".local", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".internal", StringComparison.OrdinalIgnoreCase)
            || !host.Contains('.', StringComparison.Ordinal) && !host.Contains(':', StringComparison.Ordinal))
        {
            return "is not a public site";
        }

        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && !IsPublic(address))
        {
            return "is not a public site";
        }

        return null;
    }

    private static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal);
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 10 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254));
    }

    /// <summary>The file's lines with fenced code blocks blanked (kept as empty lines, so line numbers stay right).</summary>
    private static List<string> ProseLines(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n').ToList();
        string? fence = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var opening = Fence().Match(lines[i]);
            if (fence is null && opening.Success)
            {
                fence = opening.Groups["fence"].Value;
                lines[i] = string.Empty;
            }
            else if (fence is not null)
            {
                var closing = lines[i].Trim();
                if (closing.Length >= fence.Length && closing.All(c => c == fence[0]))
                {
                    fence = null;
                }

                lines[i] = string.Empty;
            }
        }

        return lines;
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(`+)(?:(?!\1).)+?\1")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(?<dest><[^>]*>|[^\s()]+)(?:\s+(?:""[^""]*""|'[^']*'))?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*(?<dest><[^>]*>|\S+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"<(?<dest>[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"<(?:a|img|source)\s[^>]*?(?:href|src)\s*=\s*""(?<dest>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlLink();

    [GeneratedRegex(@"<[a-z][^>]*\s(?:id|name)\s*=\s*""(?<id>[^""]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex HtmlAnchor();

    [GeneratedRegex(@"^ {0,3}#{1,6}(?:[ \t]+(?<text>.*?))?(?:[ \t]+#+)?[ \t]*$")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}(?:=+|-+)[ \t]*$")]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"!?\[(?<text>[^\]]*)\]\([^)]*\)")]
    private static partial Regex MarkdownLinkText();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();
}
