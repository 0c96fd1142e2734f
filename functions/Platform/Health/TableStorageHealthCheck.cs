using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shop.Functions.Platform.Health;

/// <summary>
/// Table storage answers a data-plane read with the app's identity: a query of an empty partition of the Orders table
/// (one round trip, reads nothing). It fails when the account is unreachable, the table is missing or the identity lacks
/// its data role, which are the failures that stop intake.
/// </summary>
public sealed class TableStorageHealthCheck(TableServiceClient tables) : IHealthCheck
{
    public const string Name = "tableStorage";

    private const string ProbePartition = "health-probe";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var table = tables.GetTableClient(StorageTables.Orders);
        try
        {
            var pages = table.QueryAsync<TableEntity>(
                filter: TableClient.CreateQueryFilter($"PartitionKey eq {ProbePartition}"),
                maxPerPage: 1,
                select: ["PartitionKey"],
                cancellationToken: cancellationToken).AsPages();
            await using var page = pages.GetAsyncEnumerator(cancellationToken);
            // WaitAsync: the check ends at the timeout even if a network call does not watch its token.
            await page.MoveNextAsync().AsTask().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // After its retries the SDK throws an AggregateException of each attempt's failure: the last one says most.
            var last = ex as RequestFailedException ?? (RequestFailedException)((AggregateException)ex).InnerExceptions[^1];
            return HealthCheckResult.Unhealthy(last.Status == 0
                ? "Table storage is unreachable."
                : $"Table storage answered {last.Status} ({last.ErrorCode}).");
        }
    }
}
