using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// What every answer of the app shares: a status code and headers set before the body. Each kind writes its own
/// body (none, JSON from a source-generated type, JSON already serialized).
/// </summary>
public abstract class HttpAnswer<TSelf>(int statusCode) : IActionResult
    where TSelf : HttpAnswer<TSelf>
{
    public int StatusCode { get; } = statusCode;

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public TSelf WithHeader(string name, string value)
    {
        Headers[name] = value;
        return (TSelf)this;
    }

    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        return WriteBodyAsync(context.HttpContext);
    }

    protected abstract Task WriteBodyAsync(HttpContext http);
}
