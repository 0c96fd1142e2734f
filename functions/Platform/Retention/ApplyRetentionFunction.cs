using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Shop.Functions.Platform.Retention;

public sealed class ApplyRetentionFunction(RetentionJanitor janitor)
{
    /// <summary>On the schedule in the app setting <see cref="RetentionOptions.ScheduleSetting"/>; timers run on one instance at a time.</summary>
    public const string Schedule = "%" + RetentionOptions.ScheduleSetting + "%";

    [Function(nameof(ApplyRetention))]
    public Task ApplyRetention(
        [TimerTrigger(Schedule)] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        janitor.RunAsync(client, cancellationToken);
}
