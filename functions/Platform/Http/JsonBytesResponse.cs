using Microsoft.AspNetCore.Http;

namespace Shop.Functions.Platform.Http;

/// <summary>A JSON answer serialized beforehand (its ETag is the hash of these bytes), written as it is.</summary>
public sealed class JsonBytesResponse(int statusCode, ReadOnlyMemory<byte> body, string contentType = "application/json")
    : HttpAnswer<JsonBytesResponse>(statusCode)
{
    public ReadOnlyMemory<byte> Body { get; } = body;

    protected override async Task WriteBodyAsync(HttpContext http)
    {
        http.Response.ContentType = contentType;
        http.Response.ContentLength = Body.Length;
        await http.Response.Body.WriteAsync(Body, http.RequestAborted);
    }
}
