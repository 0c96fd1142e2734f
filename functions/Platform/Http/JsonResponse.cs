using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// An HTTP answer that writes itself with source-generated JSON: no reflection, no MVC formatters.
/// Headers are set before the body; <see cref="Value"/> may be null for body-less answers (303, 304).
/// </summary>
public sealed class JsonResponse<T>(int statusCode, T? value, JsonTypeInfo<T> typeInfo, string contentType = "application/json")
    : HttpAnswer<JsonResponse<T>>(statusCode)
{
    public T? Value { get; } = value;

    protected override async Task WriteBodyAsync(HttpContext http)
    {
        if (Value is not null)
        {
            http.Response.ContentType = contentType;
            await JsonSerializer.SerializeAsync(http.Response.Body, Value, typeInfo, http.RequestAborted);
        }
    }
}

/// <summary>Factory for RFC 9457 answers; every one carries the trace id so a report can be followed in the logs.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static JsonResponse<Problem> Create(
        HttpContext http,
        int status,
        string type,
        string title,
        string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = new Problem(
            type,
            title,
            status,
            detail,
            Instance: http.Request.Path.Value,
            TraceId: Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier,
            Errors: errors);
        return new JsonResponse<Problem>(status, problem, ShopJsonContext.Default.Problem, ContentType);
    }

    public static JsonResponse<Problem> Validation(HttpContext http, IReadOnlyDictionary<string, string[]> errors) =>
        Create(
            http,
            StatusCodes.Status400BadRequest,
            ProblemTypes.ValidationFailed,
            "The request has invalid fields.",
            "See 'errors' for each field that must change.",
            errors);

    /// <summary>503 with Retry-After: a dependency failed and the request can be retried as it is.</summary>
    public static JsonResponse<Problem> ServiceUnavailable(HttpContext http, string detail, int retryAfterSeconds = 5) =>
        Create(http, StatusCodes.Status503ServiceUnavailable, ProblemTypes.DependencyUnavailable, "A dependency is unavailable.", detail)
            .WithHeader("Retry-After", retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static JsonResponse<Problem> NotFound(HttpContext http, string detail) =>
        Create(http, StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found.", detail);
}
