using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// Turns an app path into the absolute URL a client should use: the configured base URL, else the
/// forwarded host when trusted, else the host the request came to.
/// </summary>
public sealed class PublicUrls(IOptions<PublicUrlOptions> options)
{
    private readonly PublicUrlOptions _options = options.Value;

    public string Absolute(HttpRequest request, string path)
    {
        if (!string.IsNullOrEmpty(_options.BaseUrl))
        {
            return _options.BaseUrl.TrimEnd('/') + path;
        }

        if (_options.TrustForwardedHeaders && ForwardedOrigin(request) is { } origin)
        {
            return origin + path;
        }

        return $"{request.Scheme}://{request.Host.Value}{path}";
    }

    private static string? ForwardedOrigin(HttpRequest request)
    {
        // A proxy chain appends: the first value is the one the client used.
        var host = FirstValue(request.Headers["X-Forwarded-Host"]);
        if (host is null || !IsHost(host))
        {
            return null;
        }

        var proto = FirstValue(request.Headers["X-Forwarded-Proto"]);
        var scheme = proto is "http" or "https" ? proto : request.Scheme;
        return $"{scheme}://{host}";
    }

    private static string? FirstValue(string? header) =>
        string.IsNullOrWhiteSpace(header) ? null : header.Split(',')[0].Trim().ToLowerInvariant();

    private static bool IsHost(string value) =>
        Uri.TryCreate($"https://{value}/", UriKind.Absolute, out var uri)
        && uri.PathAndQuery == "/"
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo);
}
