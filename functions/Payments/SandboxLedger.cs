using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Payments;

/// <summary>
/// The sandbox's bookkeeping in its own table: one partition per order, rows <c>charge</c>, <c>refund</c> and
/// <c>attempts</c>. Charges and refunds are conditional inserts, so parallel callers agree on the first one;
/// the attempt counter is updated under its ETag. State lives in storage, so it survives restarts and is shared
/// by every instance.
/// </summary>
internal sealed class SandboxLedger(TableClient table)
{
    // Optimistic-concurrency rounds on the attempt counter (not retries of failures): a handful of parallel
    // callers for one order settle in a few rounds.
    private const int MaxCounterRounds = 20;

    public Task<SandboxChargeRow?> FindChargeAsync(string orderId, CancellationToken cancellationToken) =>
        FindAsync<SandboxChargeRow>(orderId, SandboxChargeRow.Key, cancellationToken);

    public Task<SandboxRefundRow?> FindRefundAsync(string orderId, CancellationToken cancellationToken) =>
        FindAsync<SandboxRefundRow>(orderId, SandboxRefundRow.Key, cancellationToken);

    /// <summary>Inserts the charge unless the order has one; answers the order's charge and whether it is this one.</summary>
    public Task<(SandboxChargeRow Row, bool Inserted)> AddChargeAsync(SandboxChargeRow charge, CancellationToken cancellationToken) =>
        AddOnceAsync(charge, cancellationToken);

    /// <summary>Inserts the refund unless the order has one; answers the order's refund and whether it is this one.</summary>
    public Task<(SandboxRefundRow Row, bool Inserted)> AddRefundAsync(SandboxRefundRow refund, CancellationToken cancellationToken) =>
        AddOnceAsync(refund, cancellationToken);

    public Task<SandboxAttemptsRow?> FindAttemptsAsync(string orderId, CancellationToken cancellationToken) =>
        FindAsync<SandboxAttemptsRow>(orderId, SandboxAttemptsRow.Key, cancellationToken);

    /// <summary>Counts one more attempt of the <paramref name="simulation"/> outage for the order and answers the count, this one included.</summary>
    public async Task<int> CountAttemptAsync(string orderId, string simulation, CancellationToken cancellationToken)
    {
        for (var round = 0; round < MaxCounterRounds; round++)
        {
            var attempts = await FindAsync<SandboxAttemptsRow>(orderId, SandboxAttemptsRow.Key, cancellationToken);
            try
            {
                if (attempts is null)
                {
                    await table.AddEntityAsync(new SandboxAttemptsRow { PartitionKey = orderId, Count = 1, Simulation = simulation }, cancellationToken);
                    return 1;
                }

                attempts.Count++;
                attempts.Simulation ??= simulation;
                await table.UpdateEntityAsync(attempts, attempts.ETag, TableUpdateMode.Replace, cancellationToken);
                return attempts.Count;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another caller counted first: read the new count and try again.
            }
        }

        throw new PaymentGatewayUnavailableException($"Too many parallel charge attempts for order {orderId}.");
    }

    /// <summary>A storage failure that a later call may not meet: no answer, a timeout, throttling or a server error.</summary>
    public static bool IsTransientFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsTransientFailure(inner, cancellationToken)),
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private async Task<T?> FindAsync<T>(string orderId, string rowKey, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(orderId, rowKey, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private async Task<(T Row, bool Inserted)> AddOnceAsync<T>(T row, CancellationToken cancellationToken)
        where T : class, ITableEntity
    {
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return (row, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var first = await FindAsync<T>(row.PartitionKey, row.RowKey, cancellationToken)
                ?? throw new InvalidOperationException($"Row {row.RowKey} of order {row.PartitionKey} conflicted on insert but cannot be read.");
            return (first, false);
        }
    }
}
