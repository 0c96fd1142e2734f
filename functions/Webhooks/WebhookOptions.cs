using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Webhooks;

/// <summary>
/// Every webhook setting (section <c>Webhooks</c>): registration and redelivery, and how webhooks are sent (the SSRF
/// guard's two switches, the per-attempt timeout, the quick retries, the per-host circuit breaker and the CloudEvents
/// validation handshake at registration).
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string SectionName = "Webhooks";

    /// <summary>
    /// Redelivery after the sender's quick retries failed: about a day in all (1 min .. 12 h, 8 attempts), then the
    /// delivery is dead-lettered and its subscription marked failing.
    /// </summary>
    public static IReadOnlyList<TimeSpan> DefaultRedeliveryDelays { get; } =
    [
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(15),
        TimeSpan.FromHours(1),
        TimeSpan.FromHours(3),
        TimeSpan.FromHours(6),
        TimeSpan.FromHours(12),
    ];

    /// <summary>How long the previous secret still signs after a rotation, so receivers can switch over.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SecretRotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Registered subscriptions at most (they are all read for every event).</summary>
    [Range(1, 1000)]
    public int MaxSubscriptions { get; set; } = 100;

    /// <summary>
    /// How long the fan-out reuses the list of subscriptions it read (<see cref="Registration.WebhookSubscriptionCache"/>)
    /// instead of reading the <c>Webhooks</c> partition for every event. Registration, rotation, deletion and status changes
    /// on the same instance take effect at once; on other instances within this time. Zero reads for every event.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan SubscriptionCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many of one event's deliveries the fan-out posts itself, in parallel, as their first attempt (default 8). A
    /// delivery that post does not settle (a failure, an open circuit, a refusal), and every delivery past this many, goes
    /// on as a <c>DeliverWebhook</c> command through the <c>deliver-webhook</c> queue, the failed ones as its second
    /// attempt on the redelivery schedule. Zero sends every delivery as a command, as before issue 14.
    /// </summary>
    [Range(0, 1000)]
    public int FanOutPostLimit { get; set; } = 8;

    /// <summary>Null means <see cref="DefaultRedeliveryDelays"/> (not initialised: binding would append to it).</summary>
    public TimeSpan[]? RedeliveryDelays { get; set; }

    /// <summary>
    /// How long a claimed delivery is leased to the copy of the command posting it: longer than the sender's quick
    /// retries take; a copy that crashed (or whose claim's answer was lost) may post again after it. Keep it shorter than
    /// the redelivery schedule, or the retries of such a delivery run out while it is still leased.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The origin when neither <see cref="RequestOrigin"/> nor a public base URL is configured.</summary>
    public const string DefaultRequestOrigin = "shop.example";

    /// <summary>Lets webhooks reach loopback addresses (127.0.0.0/8, ::1). For local development only; private and metadata addresses stay forbidden.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Only https URLs are accepted. Turn off for local development only.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>One attempt: connect, send, response headers and reading the (capped) body.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per <see cref="Delivery.IWebhookSender.PostAsync"/>, the first included; later redeliveries are the caller's.</summary>
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
    /// <see cref="Delivery.WebhookHandshake"/>) and stores nothing unless it is given. Off by default: registering already takes
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

    /// <summary>The schedule <see cref="Messaging.Consumers.MessagePipeline"/> follows for <c>deliver-webhook</c>.</summary>
    public Messaging.Consumers.ConsumerOptions RedeliverySchedule() =>
        new() { RetryDelays = [.. RedeliveryDelays ?? DefaultRedeliveryDelays] };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RedeliverySchedule().Validate(validationContext)
            .Select(result => new ValidationResult(result.ErrorMessage?.Replace("Consumers:RetryDelays", $"{SectionName}:{nameof(RedeliveryDelays)}", StringComparison.Ordinal), [nameof(RedeliveryDelays)]));
}
