using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// One generated bad request to one HTTP function. <see cref="MustReject"/>: the request is bad in a part the function
/// reads (a route value, the body, a parsed query parameter, the Idempotency-Key), so only a 4xx is right. Otherwise
/// only headers or query parameters the function ignores are hostile, which a read may answer normally (never 5xx).
/// </summary>
public sealed record HostileRequest(
    string Category,
    string Function,
    string Method,
    string Route,
    IReadOnlyDictionary<string, string> RouteValues,
    string Description,
    bool MustReject)
{
    public byte[]? Body { get; init; }

    public string? ContentType { get; init; } = "application/json";

    public bool SendContentLength { get; init; } = true;

    /// <summary>Overrides the Content-Length header (a lie about the body).</summary>
    public long? DeclaredLength { get; init; }

    public string Query { get; init; } = string.Empty;

    public IReadOnlyList<(string Name, StringValues Value)> Headers { get; init; } = [];

    public HttpRequest Build()
    {
        var request = HttpTest.Request(Method.ToUpperInvariant(), "/api", body: null, ContentType);

        // As the host would have it, still encoded (implicit conversion would decode, and refuse %00).
        request.Path = new PathString(Path());
        if (Body is not null)
        {
            request.Body = new MemoryStream(Body);
            if (SendContentLength)
            {
                request.ContentLength = DeclaredLength ?? Body.Length;
            }
        }

        request.QueryString = new QueryString(Query);
        foreach (var (name, value) in Headers)
        {
            request.Headers[name] = value;
        }

        return request;
    }

    public override string ToString() => $"#{Category} {Function}: {Description}";

    /// <summary>The route with its values percent-encoded (lone surrogates, which no URL can carry, as U+FFFD).</summary>
    private string Path()
    {
        var path = Route;
        foreach (var (name, value) in RouteValues)
        {
            var bytes = new UTF8Encoding(false, false).GetBytes(value);
            var encoded = string.Concat(bytes.Select(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' ? ((char)b).ToString() : $"%{b:X2}"));
            path = path.Replace("{" + name + "}", encoded, StringComparison.Ordinal);
        }

        return "/api/" + path;
    }
}
