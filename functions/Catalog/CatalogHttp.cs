using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Catalog;

/// <summary>
/// What every catalog answer carries: an ETag (304 for a matching If-None-Match), <c>Cache-Control</c> with the
/// snapshot's remaining freshness, and <c>Cache-Status</c> (RFC 9211) saying whether storage was asked and whether the
/// answer is stale.
/// </summary>
public static class CatalogHttp
{
    /// <summary>The cache's name in <c>Cache-Status</c>.</summary>
    public const string CacheName = "Shop";

    public static IActionResult Respond<T>(HttpRequest request, CatalogRead read, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ConditionalJson.Respond(request, value, typeInfo, Headers(read));
    }

    /// <summary>The 404 for an unknown SKU, with the same cache headers: the answer comes from the same snapshot.</summary>
    public static IActionResult NotFound(HttpRequest request, CatalogRead read, string detail)
    {
        var problem = Problems.NotFound(request.HttpContext, detail);
        foreach (var (name, value) in Headers(read))
        {
            problem.WithHeader(name, value);
        }

        return problem;
    }

    public static IActionResult Unavailable(HttpRequest request) =>
        Problems.ServiceUnavailable(request.HttpContext, "The catalog cannot be read right now, and no earlier read is cached.")
            .WithHeader("Cache-Status", $"{CacheName}; fwd=miss; detail=storage-unavailable");

    public static IReadOnlyDictionary<string, string> Headers(CatalogRead read)
    {
        var ttl = (long)Math.Floor(read.FreshFor.TotalSeconds);
        return read.Source switch
        {
            CatalogSource.Hit => new Dictionary<string, string>
            {
                ["Cache-Control"] = MaxAge(ttl),
                ["Cache-Status"] = Invariant($"{CacheName}; hit; ttl={ttl}"),
            },
            CatalogSource.Refreshed => new Dictionary<string, string>
            {
                ["Cache-Control"] = MaxAge(ttl),
                ["Cache-Status"] = Invariant($"{CacheName}; fwd=miss; stored; ttl={ttl}"),
            },
            // Forwarded to storage, which failed: the stored answer is served past its freshness (ttl < 0). Clients must
            // revalidate before reusing it.
            _ => new Dictionary<string, string>
            {
                ["Cache-Control"] = "no-cache",
                ["Cache-Status"] = Invariant($"{CacheName}; fwd=stale; ttl={Math.Min(ttl, -1)}; detail=storage-unavailable"),
            },
        };
    }

    private static string MaxAge(long seconds) => Invariant($"public, max-age={Math.Max(seconds, 0)}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
