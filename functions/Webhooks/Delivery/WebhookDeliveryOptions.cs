using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// How webhooks are sent: the SSRF guard's two switches, the per-attempt timeout, the quick retries, the per-host
/// circuit breaker and the CloudEvents validation handshake at registration.
/// </summary>
public sealed class WebhookDeliveryOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>The origin when neither <see cref="RequestOrigin"/> nor a public base URL is configured.</summary>
    public const string DefaultRequestOrigin = "shop.example";

    /// <summary>Lets webhooks reach loopback addresses (127.0.0.0/8, ::1). For local development only; private and metadata addresses stay forbidden.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Only https URLs are accepted. Turn off for local development only.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>One attempt: connect, send, response headers and reading the (capped) body.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per <see cref="IWebhookSender.PostAsync"/>, the first included; later redeliveries are the caller's.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Base of the exponential, jittered delay between quick retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two quick retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most of a response body that is read; the rest is never received.</summary>
    [Range(0, 1024 * 1024)]
    public int MaxResponseBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Share of failed attempts to one host, within <see cref="CircuitBreakerSamplingDuration"/>, that opens its circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitBreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts to one host within the sampling duration before its circuit can open.</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan CircuitBreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an open circuit defers deliveries to its host before one is let through to probe it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Registration first asks the URL for consent with the CloudEvents validation handshake (an OPTIONS request,
    /// <see cref="WebhookHandshake"/>) and stores nothing unless it is given. Off by default: registering already takes
    /// a function key, and most receivers do not implement the handshake. Turn it on when registrations come from
    /// less trusted callers.
    /// </summary>
    public bool ValidationHandshake { get; set; }

    /// <summary>
    /// The DNS name that identifies Shop as a sender (<c>WebHook-Request-Origin</c>, on the handshake and on every
    /// delivery). Unset: the host of <c>PublicUrls:BaseUrl</c>, else <see cref="DefaultRequestOrigin"/>.
    /// </summary>
    [MaxLength(253)]
    public string? RequestOrigin { get; set; }

    /// <summary>Requests per minute asked for in the handshake (<c>WebHook-Request-Rate</c>); unset, none is asked for.</summary>
    [Range(1, 1_000_000)]
    public int? RequestRate { get; set; }
}
