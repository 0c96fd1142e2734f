using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// A cacheable JSON answer: serialized once, tagged with the hash of its bytes, and answered 304 Not Modified (the
/// same headers, no body) when the request's <c>If-None-Match</c> holds that tag.
/// </summary>
public static class ConditionalJson
{
    public static IActionResult Respond<T>(HttpRequest request, T value, JsonTypeInfo<T> typeInfo, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(headers);
        var body = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        var etag = ETags.ForContent(body);
        if (ETags.Matches(request.Headers.IfNoneMatch, etag))
        {
            var notModified = new HeadersOnlyResponse(StatusCodes.Status304NotModified).WithHeader("ETag", etag);
            foreach (var (name, headerValue) in headers)
            {
                notModified.WithHeader(name, headerValue);
            }

            return notModified;
        }

        var ok = new JsonBytesResponse(StatusCodes.Status200OK, body).WithHeader("ETag", etag);
        foreach (var (name, headerValue) in headers)
        {
            ok.WithHeader(name, headerValue);
        }

        return ok;
    }
}
