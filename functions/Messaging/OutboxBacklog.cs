using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// How long the oldest unsent outbox row has waited (zero when there is none), recorded as
/// <see cref="ShopMetrics.OutboxBacklogAgeName"/> before each sweep: a backlog that keeps ageing means the
/// broker, or the sweeper, is not keeping up (alerted on in infra/).
/// </summary>
public sealed class OutboxBacklog(TableServiceClient tables, TimeProvider time)
{
    public async Task<TimeSpan> MeasureAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var oldest = now;
        var filter = TableClient.CreateQueryFilter($"RowKey ge {OutboxEntity.RowKeyPrefix} and RowKey lt {OutboxEntity.RowKeyEnd}");
        foreach (var tableName in OutboxSweeper.OutboxTables)
        {
            // The same filtered scan as the sweeper's: the outbox is small (rows live about as long as one send).
            await foreach (var row in tables.GetTableClient(tableName).QueryAsync<OutboxEntity>(filter, select: [nameof(OutboxEntity.CreatedAt)], cancellationToken: cancellationToken))
            {
                oldest = row.CreatedAt < oldest ? row.CreatedAt : oldest;
            }
        }

        var age = now - oldest;
        ShopMetrics.OutboxBacklog(age);
        return age;
    }
}
