using Microsoft.Azure.Functions.Worker;

namespace Shop.Functions.Messaging;

public sealed class OutboxSweeperFunction(OutboxSweeper sweeper, OutboxBacklog backlog)
{
    /// <summary>At second 0 of every minute; timer triggers run on one instance at a time.</summary>
    public const string Schedule = "0 * * * * *";

    [Function(nameof(SweepOutbox))]
    public async Task SweepOutbox([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        await backlog.MeasureAsync(cancellationToken);
        await sweeper.SweepAsync(cancellationToken);
    }
}
