using System.Buffers;
using System.Net.Http;
using System.Text;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>What one attempt got back: the status code and the start of the body (for the error).</summary>
internal sealed record ReceiverResponse(int StatusCode, string Excerpt)
{
    /// <summary>How much of a response body is kept for the error.</summary>
    public const int ExcerptChars = 300;

    private const int ExcerptBytes = 1024;

    public bool IsSuccess => StatusCode is >= 200 and <= 299;

    /// <summary>Worth a quick retry, and a failure of the host for its circuit breaker: 5xx, 408 Request Timeout, 429 Too Many Requests.</summary>
    public bool IsTransientFailure => StatusCode is >= 500 or 408 or 429;

    public string Describe() => Excerpt.Length == 0 ? $"HTTP {StatusCode}" : $"HTTP {StatusCode}: {Excerpt}";

    /// <summary>
    /// The status code only: the excerpt is what the receiver wrote, which may echo our signature headers, and only reaches a
    /// log or a record through <see cref="Describe"/> after redaction. Polly's telemetry logs results with ToString.
    /// </summary>
    public override string ToString() => $"HTTP {StatusCode}";

    /// <summary>
    /// Reads at most <paramref name="maxBodyBytes"/> of the body and keeps an excerpt. The rest is never received:
    /// disposing the response then drops the connection (the handler drains nothing).
    /// </summary>
    public static async Task<ReceiverResponse> ReadAsync(HttpResponseMessage response, int maxBodyBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        var statusCode = (int)response.StatusCode;
        if (maxBodyBytes <= 0)
        {
            return new ReceiverResponse(statusCode, string.Empty);
        }

        var head = new byte[Math.Min(maxBodyBytes, ExcerptBytes)];
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            int kept = 0, total = 0;
            while (total < maxBodyBytes)
            {
                var into = kept < head.Length ? head.AsMemory(kept) : scratch.AsMemory(0, Math.Min(scratch.Length, maxBodyBytes - total));
                var read = await body.ReadAsync(into, ct);
                if (read == 0)
                {
                    break;
                }

                kept = kept < head.Length ? kept + read : kept;
                total += read;
            }

            return new ReceiverResponse(statusCode, ToExcerpt(Encoding.UTF8.GetString(head, 0, kept)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static string ToExcerpt(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return clean.Length <= ExcerptChars ? clean : string.Concat(clean.AsSpan(0, ExcerptChars), "…");
    }
}
