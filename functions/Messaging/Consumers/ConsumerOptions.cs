using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Messaging.Consumers;

/// <summary>The retry schedule of <see cref="MessagePipeline"/> for transient failures.</summary>
public sealed class ConsumerOptions : IValidatableObject
{
    public const string SectionName = "Consumers";

    public const int MaxRetries = 20;

    public static IReadOnlyList<TimeSpan> DefaultRetryDelays { get; } =
    [
        TimeSpan.FromSeconds(10),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
    ];

    private static readonly TimeSpan ShortestDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(7);

    /// <summary>
    /// The delay before attempt n + 1 is entry n - 1, so there are <c>Count + 1</c> attempts in all. Null means
    /// <see cref="DefaultRetryDelays"/>. Deliberately not initialised to the defaults: configuration binding would
    /// append the configured delays to them instead of replacing them.
    /// </summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>Each delay is moved at random by up to this fraction either way, so failures do not retry in lockstep.</summary>
    [Range(0.0, 0.5)]
    public double RetryJitter { get; set; } = 0.2;

    public IReadOnlyList<TimeSpan> Schedule => RetryDelays ?? DefaultRetryDelays;

    public int MaxAttempts => Schedule.Count + 1;

    /// <summary>The delay (before jitter) between a failed <paramref name="attempt"/> and the next one.</summary>
    public TimeSpan DelayAfter(int attempt) => Schedule[Math.Clamp(attempt, 1, Schedule.Count) - 1];

    /// <summary><see cref="DelayAfter"/> moved at random by up to <see cref="RetryJitter"/> either way.</summary>
    public TimeSpan JitteredDelayAfter(int attempt, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return DelayAfter(attempt) * (1 + (RetryJitter * ((2 * random.NextDouble()) - 1)));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryDelays is { Length: 0 or > MaxRetries })
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(RetryDelays)} needs 1 to {MaxRetries} delays.", [nameof(RetryDelays)]);
        }

        if (RetryDelays?.Any(delay => delay < ShortestDelay || delay > LongestDelay) == true)
        {
            yield return new ValidationResult(
                $"{SectionName}:{nameof(RetryDelays)} must each be between {ShortestDelay} and {LongestDelay}.", [nameof(RetryDelays)]);
        }
    }
}
