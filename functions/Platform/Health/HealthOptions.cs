using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Platform.Health;

public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>How long each dependency check may take; one that takes longer is reported unhealthy.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);
}
