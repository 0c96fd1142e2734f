using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Messaging;

public sealed class OutboxOptions
{
    public const string SectionName = "Outbox";

    /// <summary>The sweeper republishes outbox rows older than this (the immediate send has had its chance).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan SweepAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Outbox pointers the sweeper reads per page of the index (at most 1,000 are used); a run reads page after page until its time budget.</summary>
    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>How long one sweeper run goes on sending (the timer fires every minute; keep it below that and the function timeout).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SweepTimeBudget { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Pointers the sweeper handles at once (each: read the partition's rows, send, delete).</summary>
    [Range(1, 256)]
    public int SweepConcurrency { get; set; } = 16;

    /// <summary>
    /// How often the sweeper also scans the Orders table for outbox rows that have no pointer (written before the outbox
    /// index existed); zero turns the scan off. The scan resumes where the last run stopped, within the time left.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan LegacyScanInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a request waits for the immediate send before leaving the message to the sweeper.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ImmediateSendTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
