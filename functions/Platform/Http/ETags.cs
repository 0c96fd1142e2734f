using System.Security.Cryptography;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Shop.Functions.Platform.Http;

/// <summary>Entity tags (RFC 9110): one for a representation's bytes, and the <c>If-None-Match</c> check.</summary>
public static class ETags
{
    /// <summary>A strong ETag from the bytes of the body: the same content gives the same tag, on every instance.</summary>
    public static string ForContent(ReadOnlySpan<byte> body) =>
        $"\"{Convert.ToBase64String(SHA256.HashData(body)[..16]).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"";

    /// <summary>Weak comparison, as RFC 9110 asks for If-None-Match; <c>*</c> matches any existing representation.</summary>
    public static bool Matches(StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParse(etag, out var current))
        {
            return false;
        }

        return EntityTagHeaderValue.TryParseList(ifNoneMatch, out var candidates)
            && candidates.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(current, useStrongComparison: false));
    }
}
