using System.ComponentModel.DataAnnotations;

namespace Shop.Functions.Orders.Watchdog;

/// <summary>The open-orders index and its watchdog (<see cref="OpenOrdersWatchdog"/>).</summary>
public sealed class OpenOrdersOptions
{
    public const string SectionName = "OpenOrders";

    /// <summary>
    /// The app setting that holds the watchdog's timer schedule (NCRONTAB, default every 5 minutes in the Bicep and the
    /// local sample). A flat name: the host resolves a binding's <c>%Name%</c> from app settings, and nested names
    /// (<c>A__B</c>) do not resolve there reliably.
    /// </summary>
    public const string ScheduleSetting = "WatchOpenOrdersSchedule";

    public const string DefaultSchedule = "0 */5 * * * *";

    /// <summary>How long after intake an order is first looked at, unless it is terminal by then.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DueAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>When a look finds the saga still running, how long until the next look.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Due entries one watchdog run handles at most; the rest wait for the next run.</summary>
    [Range(1, 10_000)]
    public int MaxPerRun { get; set; } = 500;
}
