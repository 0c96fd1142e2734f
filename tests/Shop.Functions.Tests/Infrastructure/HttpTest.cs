using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>What a client would have received: status, headers and body.</summary>
public sealed record TestResponse(int Status, IHeaderDictionary Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement;
}

/// <summary>Builds requests for the HTTP functions and runs their results as the Functions host would.</summary>
public static class HttpTest
{
    public const string Host = "shop.test";

    public static HttpRequest Request(
        string method,
        string path,
        string? body = null,
        string? contentType = "application/json",
        IDictionary<string, string>? headers = null,
        bool sendContentLength = true)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = method;
        request.Scheme = "https";
        request.Host = new HostString(Host);
        request.Path = path;
        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            request.Body = new MemoryStream(bytes);
            if (sendContentLength)
            {
                request.ContentLength = bytes.Length;
            }
        }

        if (contentType is not null)
        {
            request.ContentType = contentType;
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers[name] = value;
        }

        context.Response.Body = new MemoryStream();
        return request;
    }

    public static async Task<TestResponse> RunAsync(HttpRequest request, IActionResult result)
    {
        var context = request.HttpContext;
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        context.Response.Body.Position = 0;
        using var reader = new StreamReader(context.Response.Body);
        var body = await reader.ReadToEndAsync();
        var headers = new HeaderDictionary();
        foreach (var (name, value) in context.Response.Headers)
        {
            headers[name] = value;
        }

        if (context.Response.ContentType is { } contentType)
        {
            headers["Content-Type"] = contentType;
        }

        return new TestResponse(context.Response.StatusCode, headers, body);
    }
}
