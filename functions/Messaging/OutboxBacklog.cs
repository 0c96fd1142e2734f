using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// How long the oldest unsent outbox row has waited (zero when there is none), recorded as
/// <see cref="ShopMetrics.OutboxBacklogAgeName"/> before each sweep: a backlog that keeps ageing means the
/// broker, or the sweeper, is not keeping up (alerted on in infra/). Read from the oldest pointer of the outbox index
/// (one query of a page of one entry, to within the index's 10-second bucket); rows from before the index are not counted.
/// </summary>
public sealed class OutboxBacklog(OutboxIndex index, TimeProvider time)
{
    public async Task<TimeSpan> MeasureAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var oldest = await index.OldestAsync(cancellationToken) ?? now;
        var age = oldest < now ? now - oldest : TimeSpan.Zero;
        ShopMetrics.OutboxBacklog(age);
        return age;
    }
}
