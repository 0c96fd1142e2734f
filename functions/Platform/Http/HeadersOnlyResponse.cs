using Microsoft.AspNetCore.Http;

namespace Shop.Functions.Platform.Http;

/// <summary>An answer without a body (303 See Other, 304 Not Modified), with the headers that matter to it.</summary>
public sealed class HeadersOnlyResponse(int statusCode) : HttpAnswer<HeadersOnlyResponse>(statusCode)
{
    protected override Task WriteBodyAsync(HttpContext http) => Task.CompletedTask;
}
