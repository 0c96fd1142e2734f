using Microsoft.AspNetCore.Mvc;

namespace Shop.Functions.Platform.Http;

/// <summary>A JSON answer serialized beforehand (its ETag is the hash of these bytes), written as it is.</summary>
public sealed class JsonBytesResponse(int statusCode, ReadOnlyMemory<byte> body, string contentType = "application/json") : IActionResult
{
    public int StatusCode { get; } = statusCode;

    public ReadOnlyMemory<byte> Body { get; } = body;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public JsonBytesResponse WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        response.ContentType = contentType;
        response.ContentLength = Body.Length;
        await response.Body.WriteAsync(Body, context.HttpContext.RequestAborted);
    }
}
