namespace Shop.Functions.Platform.Http;

/// <summary>How the app builds absolute URLs that clients follow (status monitors, Location headers).</summary>
public sealed class PublicUrlOptions
{
    public const string SectionName = "PublicUrls";

    /// <summary>The public base URL, e.g. the API gateway's (<c>https://api.contoso.com</c>). Wins when set.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Use <c>X-Forwarded-Host</c>/<c>X-Forwarded-Proto</c>. Only behind a proxy that sets them itself.</summary>
    public bool TrustForwardedHeaders { get; set; }

    public bool IsValid() =>
        string.IsNullOrEmpty(BaseUrl)
        || (Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Query.Length == 0);
}
