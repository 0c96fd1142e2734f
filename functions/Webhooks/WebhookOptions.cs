using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Webhooks;

/// <summary>Registration and redelivery settings (section <c>Webhooks</c>, shared with the sender's settings).</summary>
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

    /// <summary>Null means <see cref="DefaultRedeliveryDelays"/> (not initialised: binding would append to it).</summary>
    public TimeSpan[]? RedeliveryDelays { get; set; }

    /// <summary>
    /// How long a claimed delivery is leased to the copy of the command posting it: longer than the sender's quick
    /// retries take; a copy that crashed (or whose claim's answer was lost) may post again after it. Keep it shorter than
    /// the redelivery schedule, or the retries of such a delivery run out while it is still leased.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The schedule <see cref="Messaging.Consumers.MessagePipeline"/> follows for <c>deliver-webhook</c>.</summary>
    public Messaging.Consumers.ConsumerOptions RedeliverySchedule() =>
        new() { RetryDelays = [.. RedeliveryDelays ?? DefaultRedeliveryDelays] };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RedeliverySchedule().Validate(validationContext)
            .Select(result => new ValidationResult(result.ErrorMessage?.Replace("Consumers:RetryDelays", $"{SectionName}:{nameof(RedeliveryDelays)}", StringComparison.Ordinal), [nameof(RedeliveryDelays)]));
}
