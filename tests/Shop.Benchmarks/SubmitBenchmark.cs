using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Orders;

namespace Shop.Benchmarks;

/// <summary>
/// The sequential runs: the submit itself, the floor (a bare insert of an equal row), the submit's own two storage calls
/// made bare (the open-orders entry's upsert and the order row's insert), to show where the time goes, and the floor of
/// the one-round-trip intake that sharded order partitions would allow (the order row and its entry in one transaction;
/// docs/performance.md, "What one round trip at the front door would take").
/// </summary>
public sealed record SequentialResult(Phase Submit, Phase BareInsert, Phase BareTrack, Phase BareTransaction, long RequestBuildingBytes);

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
    private OrderRow? _orderRow;
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
        await foreach (var row in ordersTable.QueryAsync<OrderRow>(o => o.RowKey == OrderRow.OrderRowKey, maxPerPage: 1))
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
            await TrackAsync();
            await TransactAsync();
        }

        notAccepted += (await RunConcurrentAsync(Math.Min(orders, 4 * concurrency), concurrency)).NotAccepted;
        return notAccepted;
    }

    public async Task<SequentialResult> RunSequentialAsync(int orders)
    {
        var submit = new Phase(services, cpu);
        var insert = new Phase(services, cpu);
        var track = new Phase(services, cpu);
        var transaction = new Phase(services, cpu);
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
            await track.RunAsync(size, async _ =>
            {
                await TrackAsync();
                return true;
            });
            await transaction.RunAsync(size, async _ =>
            {
                await TransactAsync();
                return true;
            });
        }

        return new SequentialResult(submit, insert, track, transaction, requestBytes);
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
        row.RowKey = OrderRow.OrderRowKey;
        row.ETag = default;
        return _floor!.AddEntityAsync(row);
    }

    /// <summary>
    /// What intake would write with sharded order partitions: the order row and its open-orders entry, one transaction in
    /// one partition (a shard holds many orders, so the row's key is the order id and the entry's its due time). It
    /// re-keys the shared copy of the row; <see cref="InsertAsync"/> keys it back.
    /// </summary>
    private Task<Response<IReadOnlyList<Response>>> TransactAsync()
    {
        var row = _orderRow!;
        var orderId = OrderIds.NewRandom();
        var dueAt = DateTimeOffset.UtcNow.AddMinutes(15);
        row.PartitionKey = ShardPartitions[Random.Shared.Next(ShardPartitions.Length)];
        row.RowKey = orderId;
        row.ETag = default;
        var entry = new OpenOrderRow { PartitionKey = row.PartitionKey, RowKey = "open|" + dueAt.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "|" + orderId, DueAt = dueAt };
        return _floor!.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, row), new TableTransactionAction(TableTransactionActionType.Add, entry)]);
    }

    private static readonly string[] ShardPartitions = [.. Enumerable.Range(0, 16).Select(i => $"shard-{i:D2}")];

    /// <summary>What the handler writes before the order: an open-orders entry (an upsert into a 5-minute due bucket).</summary>
    private Task<Response> TrackAsync() =>
        _floor!.UpsertEntityAsync(
            new OpenOrderRow { PartitionKey = OpenOrderIndex.DuePartition(DateTimeOffset.UtcNow.AddMinutes(15)), RowKey = OrderIds.NewRandom(), DueAt = DateTimeOffset.UtcNow.AddMinutes(15) },
            TableUpdateMode.Replace);
}
