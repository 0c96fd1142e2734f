using Microsoft.AspNetCore.Mvc;

namespace Shop.Functions.Platform.Http;

/// <summary>An answer without a body (303 See Other, 304 Not Modified), with the headers that matter to it.</summary>
public sealed class HeadersOnlyResponse(int statusCode) : IActionResult
{
    public int StatusCode { get; } = statusCode;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HeadersOnlyResponse WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }

    public Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        return Task.CompletedTask;
    }
}
