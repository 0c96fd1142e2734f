using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Shop.Functions.Orders.Watchdog;

public sealed class WatchOpenOrdersFunction(OpenOrdersWatchdog watchdog)
{
    /// <summary>On the schedule in the app setting <see cref="OpenOrdersOptions.ScheduleSetting"/>; timers run on one instance at a time.</summary>
    public const string Schedule = "%" + OpenOrdersOptions.ScheduleSetting + "%";

    [Function(nameof(WatchOpenOrders))]
    public Task WatchOpenOrders(
        [TimerTrigger(Schedule)] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        watchdog.RunAsync(client, cancellationToken);
}
