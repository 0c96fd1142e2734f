using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Orders;

namespace Shop.Benchmarks;

/// <summary>
/// The sequential runs: the submit itself, the floor (a bare insert of an equal row), and the submit's own
/// two storage calls made bare (the two-row transaction and the outbox delete), to show where the time goes.
/// </summary>
public sealed record SequentialResult(Phase Submit, Phase BareInsert, Phase BareTransaction, Phase BareDelete, long RequestBuildingBytes);

public sealed record ConcurrentResult(LatencyStats Submit, double Seconds, RoundTrips RoundTrips, long Sends, int NotAccepted, TimeSpan Cpu, TimeSpan? AzuriteCpu);

/// <summary>
/// Drives <c>SubmitOrderFunction.SubmitOrder</c> and the bare Table calls it is compared with. The sequential
/// runs alternate in blocks, so drift (Azurite's growing tables, GC, a noisy neighbour) touches all alike.
/// </summary>
public sealed class SubmitBenchmark(BenchmarkServices services, CpuClock cpu)
{
    private const int Blocks = 10;
    private const string FloorTable = "BareInsertFloor";
    private readonly string _body = OrderRequests.ValidJson();
    private OrderEntity? _orderRow;
    private TableClient? _floor;

    public async Task<int> WarmUpAsync(int orders, int concurrency)
    {
        _floor = services.Tables.GetTableClient(FloorTable);
        await _floor.CreateIfNotExistsAsync();
        var notAccepted = 0;
        for (var i = 0; i < orders; i++)
        {
            notAccepted += await services.SubmitAsync(BenchmarkServices.NewRequest(_body)) == StatusCodes.Status202Accepted ? 0 : 1;
        }

        // The bare calls write copies of a row the function wrote: the same properties and size.
        var ordersTable = services.Tables.GetTableClient(StorageTables.Orders);
        await foreach (var row in ordersTable.QueryAsync<OrderEntity>(o => o.RowKey == OrderEntity.OrderRowKey, maxPerPage: 1))
        {
            _orderRow = row;
            break;
        }

        if (_orderRow is null)
        {
            throw new InvalidOperationException("The warm-up wrote no order row to copy for the bare calls.");
        }

        for (var i = 0; i < orders; i++)
        {
            await InsertAsync();
            await DeleteAsync(await TransactionAsync());
        }

        notAccepted += (await RunConcurrentAsync(Math.Min(orders, 4 * concurrency), concurrency)).NotAccepted;
        return notAccepted;
    }

    public async Task<SequentialResult> RunSequentialAsync(int orders)
    {
        var submit = new Phase(services, cpu);
        var insert = new Phase(services, cpu);
        var transaction = new Phase(services, cpu);
        var delete = new Phase(services, cpu);
        long requestBytes = 0;

        for (var block = 0; block < Blocks; block++)
        {
            var size = (orders / Blocks) + (block < orders % Blocks ? 1 : 0);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var requests = new HttpRequest[size];
            for (var i = 0; i < size; i++)
            {
                requests[i] = BenchmarkServices.NewRequest(_body);
            }

            requestBytes += GC.GetTotalAllocatedBytes(precise: true) - before;

            await submit.RunAsync(size, async i => await services.SubmitAsync(requests[i]) == StatusCodes.Status202Accepted);
            await insert.RunAsync(size, async _ =>
            {
                await InsertAsync();
                return true;
            });
            var written = new string[size];
            await transaction.RunAsync(size, async i =>
            {
                written[i] = await TransactionAsync();
                return true;
            });
            await delete.RunAsync(size, async i =>
            {
                await DeleteAsync(written[i]);
                return true;
            });
        }

        return new SequentialResult(submit, insert, transaction, delete, requestBytes);
    }

    public async Task<ConcurrentResult> RunConcurrentAsync(int orders, int concurrency)
    {
        var requests = new HttpRequest[orders];
        for (var i = 0; i < orders; i++)
        {
            requests[i] = BenchmarkServices.NewRequest(_body);
        }

        var latencies = new double[orders];
        var next = -1;
        var notAccepted = 0;
        var trips0 = services.Counter.Snapshot();
        var sends0 = services.Sender.Sends;
        var (cpu0, azurite0) = cpu.Read();
        var start = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Min(concurrency, orders)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < orders)
            {
                var callStart = Stopwatch.GetTimestamp();
                var status = await services.SubmitAsync(requests[i]);
                latencies[i] = Stopwatch.GetElapsedTime(callStart).TotalMilliseconds;
                if (status != StatusCodes.Status202Accepted)
                {
                    Interlocked.Increment(ref notAccepted);
                }
            }
        }));
        await Task.WhenAll(workers);
        await services.DrainOutboxAsync();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (cpu1, azurite1) = cpu.Read();

        return new ConcurrentResult(
            LatencyStats.Of(latencies),
            seconds,
            services.Counter.Snapshot().Minus(trips0),
            services.Sender.Sends - sends0,
            notAccepted,
            cpu1 - cpu0,
            cpu.SeesAzurite ? azurite1 - azurite0 : null);
    }

    /// <summary>The floor: one single-entity insert of a copy of an order row into its own partition.</summary>
    private Task<Response> InsertAsync()
    {
        var row = _orderRow!;
        row.PartitionKey = OrderIds.NewRandom();
        row.ETag = default;
        return _floor!.AddEntityAsync(row);
    }

    /// <summary>What the handler commits: the order row and its PlaceOrder outbox row in one transaction. Returns the partition.</summary>
    private async Task<string> TransactionAsync()
    {
        var row = _orderRow!;
        row.PartitionKey = OrderIds.NewRandom();
        row.ETag = default;
        var outbox = OutboxEntity.For(row.PartitionKey, new PlaceOrder(row.PartitionKey).ToMessage(), row.CreatedAt);
        await _floor!.SubmitTransactionAsync(
            [new TableTransactionAction(TableTransactionActionType.Add, row), new TableTransactionAction(TableTransactionActionType.Add, outbox)]);
        return row.PartitionKey;
    }

    /// <summary>What the relay does after the send: delete the outbox row unconditionally.</summary>
    private Task<Response> DeleteAsync(string partitionKey) =>
        _floor!.DeleteEntityAsync(partitionKey, OutboxEntity.RowKeyPrefix + $"PlaceOrder:{partitionKey}", ETag.All);
}
