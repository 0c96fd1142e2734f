using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Messaging;

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>The sweeper republishes outbox rows older than this (the immediate send has had its chance).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SweepAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Rows the sweeper handles per table per run; the rest wait for the next run.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>How long a request waits for the immediate send before leaving the message to the sweeper.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ImmediateSendTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
