using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Shop.Functions.Platform.Http;

/// <summary>
/// Reads a JSON request body with a size cap, checking the content type first. Any failure becomes a
/// problem answer (415, 413, 400) and nothing further runs.
/// </summary>
public static class JsonRequestReader
{
    public sealed record Result<T>(T? Value, JsonResponse<Problem>? Problem)
        where T : class;

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        var http = request.HttpContext;
        if (!IsJson(request.ContentType))
        {
            return Fail<T>(Problems.Create(
                http,
                StatusCodes.Status415UnsupportedMediaType,
                ProblemTypes.UnsupportedMediaType,
                "The request body must be JSON.",
                "Send the body with 'Content-Type: application/json'."));
        }

        if (request.ContentLength > maxBytes)
        {
            return Fail<T>(TooLarge(http, maxBytes));
        }

        var body = await ReadCappedAsync(request.Body, request.ContentLength, maxBytes, cancellationToken);
        if (body is null)
        {
            return Fail<T>(TooLarge(http, maxBytes));
        }

        try
        {
            var value = JsonSerializer.Deserialize(body, typeInfo);
            return value is null
                ? Fail<T>(Malformed(http, "The body is JSON null; an object is expected."))
                : new Result<T>(value, null);
        }
        catch (JsonException ex)
        {
            // Say where the JSON went wrong (path, line, byte), never the exception itself.
            var where = ex.Path is null ? string.Empty : $" at '{ex.Path}'";
            var position = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return Fail<T>(Malformed(http, $"The body is not valid JSON for this request{where}{position}."));
        }
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var charset = mediaType.Charset.Value;
        var utf8 = charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
        return utf8 && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Reads the body. With a Content-Length (already checked against the cap; the server enforces it) into a buffer
    /// of exactly that size; without one, growing up to the cap, and null when the body is longer than the cap.
    /// </summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream body, long? declaredLength, int maxBytes, CancellationToken cancellationToken)
    {
        int read;
        if (declaredLength is { } length)
        {
            var exact = new byte[length];
            var filled = 0;
            while (filled < length && (read = await body.ReadAsync(exact.AsMemory(filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            return filled == length ? exact : exact[..filled];
        }

        var buffer = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
        var total = 0;
        while ((read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                return null;
            }

            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
            }
        }

        return buffer[..total];
    }

    private static JsonResponse<Problem> TooLarge(HttpContext http, int maxBytes) =>
        Problems.Create(
            http,
            StatusCodes.Status413PayloadTooLarge,
            ProblemTypes.PayloadTooLarge,
            "The request body is too large.",
            $"The limit is {maxBytes / 1024} KiB.");

    private static JsonResponse<Problem> Malformed(HttpContext http, string detail) =>
        Problems.Create(http, StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "The request body is malformed.", detail);

    private static Result<T> Fail<T>(JsonResponse<Problem> problem)
        where T : class => new(null, problem);
}
