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
/// The sequential runs: the submit, each call meeting storage with nothing of the previous call's still in flight (as
/// every bare call does), and the submit back to back (the previous order's row write, behind its 202, shares Azurite's
/// one thread with the next call); the floor (a bare insert of an equal row); and the submit's one write made bare (the
/// open-orders entry holding the order), to show where the time goes.
/// </summary>
public sealed record SequentialResult(Phase Submit, Phase SubmitBackToBack, Phase BareInsert, Phase BareHold, long RequestBuildingBytes);

public sealed record ConcurrentResult(LatencyStats Submit, double Seconds, RoundTrips RoundTrips, long Sends, int NotAccepted, TimeSpan Cpu, TimeSpan? AzuriteCpu);

/// <summary>
/// Drives <c>SubmitOrderFunction.SubmitOrder</c> and the bare Table calls it is compared with. The sequential
/// runs alternate in blocks, so drift (Azurite's growing tables, GC, a noisy neighbour) touches all alike.
/// </summary>
public sealed class SubmitBenchmark(BenchmarkServices services, CpuClock cpu)
{
    private const int Blocks = 10;
    private const string FloorTable = "BareInsertFloor";

    /// <summary>The request kind of the order row's insert, as the counter names it.</summary>
    public const string RowInsert = "POST Orders";
    private readonly string _body = OrderRequests.ValidJson();
    private OrderRow? _orderRow;
    private TableClient? _floor;
    private long _rowInserts;

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
            await HoldAsync();
        }

        notAccepted += (await RunConcurrentAsync(Math.Min(orders, 4 * concurrency), concurrency)).NotAccepted;
        return notAccepted;
    }

    public async Task<SequentialResult> RunSequentialAsync(int orders)
    {
        var submit = new Phase(services, cpu);
        var backToBack = new Phase(services, cpu);
        var insert = new Phase(services, cpu);
        var hold = new Phase(services, cpu);
        long requestBytes = 0;

        for (var block = 0; block < Blocks; block++)
        {
            var size = (orders / Blocks) + (block < orders % Blocks ? 1 : 0);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var requests = new HttpRequest[2 * size];
            for (var i = 0; i < requests.Length; i++)
            {
                requests[i] = BenchmarkServices.NewRequest(_body);
            }

            requestBytes += GC.GetTotalAllocatedBytes(precise: true) - before;

            _rowInserts = services.Counter.Sent(RowInsert);
            await submit.RunAsync(size, async i => await services.SubmitAsync(requests[i]) == StatusCodes.Status202Accepted, SettleAsync);
            await backToBack.RunAsync(size, async i => await services.SubmitAsync(requests[size + i]) == StatusCodes.Status202Accepted);
            await insert.RunAsync(size, async _ =>
            {
                await InsertAsync();
                return true;
            });
            await hold.RunAsync(size, async _ =>
            {
                await HoldAsync();
                return true;
            });
        }

        return new SequentialResult(submit, backToBack, insert, hold, requestBytes / 2);
    }

    /// <summary>
    /// Untimed, after a submit: waits until its order row's insert (behind the 202) has been sent and storage has nothing
    /// in flight, so the next call meets storage as idle as each bare call does. The PlaceOrder send the broker holds is
    /// not storage, and stays in flight.
    /// </summary>
    private Task SettleAsync() => services.Counter.WaitUntilIdleAsync(RowInsert, ++_rowInserts);

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

    /// <summary>The submit's one write made bare: an open-orders entry holding a copy of the order row, in its shard.</summary>
    private Task HoldAsync()
    {
        var row = _orderRow!;
        row.PartitionKey = OrderIds.NewRandom();
        row.RowKey = OrderRow.OrderRowKey;
        row.ETag = default;
        return services.Get<OpenOrderIndex>().HoldAsync(row, DateTimeOffset.UtcNow.AddMinutes(15), CancellationToken.None);
    }
}
