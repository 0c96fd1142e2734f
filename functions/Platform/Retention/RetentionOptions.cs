using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Platform.Retention;

/// <summary>
/// How long finished work is kept (section <c>Retention</c>); docs/retention.md explains each window. Orders themselves
/// are business records and are never deleted.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>
    /// The app setting that holds the retention timer's schedule (NCRONTAB; daily at 03:15 UTC in the Bicep and the local
    /// sample). A flat name, like <c>WatchOpenOrdersSchedule</c>: the host resolves <c>%Name%</c> in a trigger from app settings.
    /// </summary>
    public const string ScheduleSetting = "ApplyRetentionSchedule";

    public const string DefaultSchedule = "0 15 3 * * *";

    /// <summary>
    /// Finished Durable instances (Completed, Failed, Terminated) created longer ago than this are purged with their
    /// history. At least 7 days: longer than a saga lives (shipping timeout and compensation schedule, 3 days each by
    /// default), so the watchdog, which sees a purged instance as "no saga", has long flagged any order whose saga ended early.
    /// </summary>
    [Range(typeof(TimeSpan), "7.00:00:00", "3650.00:00:00")]
    public TimeSpan InstanceRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long after an order ended its bookkeeping rows (the notifications inbox mark, its callback delivery log) stay.
    /// At least 15 days: longer than a message can live in Service Bus (14 days), so any late copy of the order's events
    /// still finds its mark; far longer than duplicate detection (1 hour) and the longest redelivery schedule (about a day).
    /// </summary>
    [Range(typeof(TimeSpan), "15.00:00:00", "3650.00:00:00")]
    public TimeSpan BookkeepingRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Webhook delivery-log rows of registered subscriptions whose event is older than this are deleted. At least 15 days,
    /// for the same reason as <see cref="BookkeepingRetention"/>: the row is the delivery's idempotency record.
    /// </summary>
    [Range(typeof(TimeSpan), "15.00:00:00", "3650.00:00:00")]
    public TimeSpan DeliveryLogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Finished orders one run cleans up at most; the rest wait for the next run.</summary>
    [Range(1, 100_000)]
    public int MaxOrdersPerRun { get; set; } = 5_000;

    /// <summary>Delivery-log rows one run deletes at most, over all subscriptions.</summary>
    [Range(1, 1_000_000)]
    public int MaxDeliveryRowsPerRun { get; set; } = 50_000;
}
