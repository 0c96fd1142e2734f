using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Platform.OpenApi;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3 document of this API, with an ETag (304 when unchanged).</summary>
public sealed class GetOpenApiDocumentFunction
{
    public const string Route = "openapi.json";

    [Function(nameof(GetOpenApiDocument))]
    public IActionResult GetOpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request)
    {
        var body = OpenApiDocument.Utf8Json;
        var etag = ETags.ForContent(body.Span);
        if (ETags.Matches(request.Headers.IfNoneMatch, etag))
        {
            return new HeadersOnlyResponse(StatusCodes.Status304NotModified).WithHeader("ETag", etag).WithHeader("Cache-Control", "public, max-age=300");
        }

        return new JsonBytesResponse(StatusCodes.Status200OK, body).WithHeader("ETag", etag).WithHeader("Cache-Control", "public, max-age=300");
    }
}
