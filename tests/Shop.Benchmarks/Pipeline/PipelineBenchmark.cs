using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Shop.Functions.Catalog;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;

namespace Shop.Benchmarks.Pipeline;

/// <summary>
/// Whole orders through the whole app in one process (<see cref="ShopPipeline"/>, as the end-to-end tests run it):
/// submit, saga, every consumer, e-mails, one webhook subscription to a real receiver on 127.0.0.1. Measures
/// completed orders per second, submit latency next to a bare Table insert made under the same load, and per order
/// the storage round trips, broker sends and deliveries, orchestration history events, allocations and CPU.
/// </summary>
public sealed class PipelineBenchmark(ShopPipeline shop, OperationCounter tables, OperationCounter blobs, TableClient bare, CpuClock cpu)
{
    private static readonly TimeSpan OrderPatience = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _completions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _engineOf = new(StringComparer.Ordinal);
    private readonly byte[] _idempotencySecret = Convert.FromBase64String(ShopTestServices.TestIdempotencySecret);
    private int _nextKey;
    private readonly Random _random = new(20261127);
    private TableEntity? _bareRow;

    public static async Task<int> RunAsync(PipelineOptions options, string azuriteDirectory, string azuriteVersion)
    {
        Console.WriteLine($"Starting Azurite from {azuriteDirectory} ...");
        await using var azurite = await AzuriteServer.StartAsync(azuriteDirectory);
        await using var receiver = await WebhookReceiver.StartAsync();
        var tables = new OperationCounter();
        var blobs = new OperationCounter();
        await using var shop = await ShopPipeline.StartAsync(
            azurite.ConnectionString,
            new BrokerOptions { KeepLog = false, ConcurrencyPerEntity = 16 },
            new Dictionary<string, string?>
            {
                // The carrier dispatches at once: the run measures the app, not a configured wait.
                ["Shipping:DispatchDelay"] = "00:00:00",
                ["Fulfillment:ShippingTimeout"] = "00:10:00",
            },
            services =>
            {
                // No logging provider (the tests capture every record in memory); production exports to App Insights.
                services.RemoveAll<ILoggerProvider>();
                services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
                    sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>(),
                    o => o.AddPolicy(tables, HttpPipelinePosition.PerRetry))));
                services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateBlobServiceClient(
                    sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>(),
                    o => o.AddPolicy(blobs, HttpPipelinePosition.PerRetry))));
            },
            engines: options.InFlight);
        await WebhookTests.RegisterAsync(shop.Shop, receiver.Url.ToString(), "*");
        foreach (var item in CatalogSeed.Items)
        {
            await shop.Shop.Tables.SetStockAsync(item.Sku, 100_000_000);
        }

        var bare = new TableServiceClient(azurite.ConnectionString).GetTableClient("BareInsertFloor");
        await bare.CreateIfNotExistsAsync();
        using var cpu = new CpuClock();
        var benchmark = new PipelineBenchmark(shop, tables, blobs, bare, cpu);
        shop.EngineRouter = benchmark.EngineOf;
        shop.Broker.Settled += benchmark.OnSettled;

        await benchmark.PrimeAsync();
        Console.WriteLine($"Warming up: {options.Warmup} orders at {options.InFlight} in flight ...");
        await benchmark.RunPhaseAsync(options.Warmup, options.InFlight);
        Console.WriteLine($"Measuring: {options.Orders} orders at {options.InFlight} in flight ...");
        var result = await benchmark.RunPhaseAsync(options.Orders, options.InFlight);
        PipelineReport.Write(Console.Out, options, azuriteVersion, result, receiver.RequestCount);
        return result.Failures == 0 ? 0 : 1;
    }

    private int EngineOf(string orderId) => _engineOf.TryGetValue(orderId, out var engine) ? engine : 0;

    private void OnSettled(BrokerEntity entity, OutgoingMessage message, Settlement? outcome)
    {
        // An order is done when its OrderCompleted has been counted by the catalog subscription, the saga's last effect.
        if (entity.Subscription == "catalog" && outcome == Settlement.Completed)
        {
            _completions.GetOrAdd(message.CorrelationId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task<PipelineResult> RunPhaseAsync(int orders, int inFlight)
    {
        _completions.Clear();
        var bodies = Enumerable.Range(0, orders).Select(_ => NextOrder()).ToList();
        var submits = new ConcurrentBag<double>();
        var bareInserts = new ConcurrentBag<double>();
        var orderIds = new ConcurrentBag<string>();
        var failures = 0;

        await shop.Broker.WhenIdleAsync(OrderPatience);
        GC.Collect();
        var tablesBefore = tables.Snapshot();
        var blobsBefore = blobs.Snapshot();
        var brokerBefore = shop.Broker.Counters;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var cpuBefore = cpu.Read();
        var clock = Stopwatch.StartNew();

        // Each in-flight slot keeps its orders on its own Durable engine (ShopPipeline.Engines says why). The order id is
        // known before the submit because it is derived from the Idempotency-Key, as the app derives it.
        var slots = new ConcurrentQueue<int>(Enumerable.Range(0, inFlight));
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (body, _) =>
        {
            slots.TryDequeue(out var slot);
            try
            {
                await RunOrderAsync(body, slot);
            }
            finally
            {
                slots.Enqueue(slot);
            }
        });

        async Task RunOrderAsync(JsonObject body, int slot)
        {
            var key = $"bench-{Interlocked.Increment(ref _nextKey)}";
            var expectedId = OrderIds.FromIdempotencyKey(_idempotencySecret, "anonymous", key);
            _engineOf[expectedId] = slot;
            bareInserts.Add(await TimeAsync(() => bare.AddEntityAsync(BareRow())));
            var started = Stopwatch.GetTimestamp();
            var response = await shop.SubmitAsync(body, key);
            submits.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.Status != 202)
            {
                Interlocked.Increment(ref failures);
                return;
            }

            var orderId = response.Json().GetProperty("orderId").GetString()!;
            if (orderId != expectedId)
            {
                throw new InvalidOperationException($"The app derived order id {orderId} from key {key}, not {expectedId}.");
            }
            orderIds.Add(orderId);
            var done = _completions.GetOrAdd(orderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            if (await Task.WhenAny(done, Task.Delay(OrderPatience, CancellationToken.None)) != done)
            {
                Interlocked.Increment(ref failures);
            }
        }

        var completed = clock.Elapsed;
        await shop.Broker.WhenIdleAsync(OrderPatience);
        var drained = clock.Elapsed;

        var cpuAfter = cpu.Read();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var gcAfter = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var history = orderIds.Select(id => DurableHistory.EventTypes(shop.EngineFor(id), id)).ToList();
        var notCompleted = 0;
        var stepGaps = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var id in orderIds)
        {
            var order = (await shop.Shop.OrdersTable.GetEntityAsync<OrderRow>(id, OrderRow.OrderRowKey)).Value;
            notCompleted += order.Status == OrderStatuses.Completed ? 0 : 1;
            var steps = order.GetSteps();
            foreach (var (from, to) in steps.Zip(steps.Skip(1)))
            {
                var gaps = stepGaps.TryGetValue(to.Name, out var list) ? list : stepGaps[to.Name] = [];
                gaps.Add((to.At - from.At).TotalMilliseconds);
            }
        }

        var (tablesAfter, blobsAfter) = (tables.Snapshot(), blobs.Snapshot());
        return new PipelineResult(
            orders,
            failures + notCompleted,
            completed,
            drained,
            LatencyStats.Of(submits),
            LatencyStats.Of(bareInserts),
            Delta(tablesBefore, tablesAfter),
            Delta(blobsBefore, blobsAfter),
            shop.Broker.Counters with
            {
                Sends = shop.Broker.Counters.Sends - brokerBefore.Sends,
                DuplicatesDropped = shop.Broker.Counters.DuplicatesDropped - brokerBefore.DuplicatesDropped,
                Deliveries = shop.Broker.Counters.Deliveries - brokerBefore.Deliveries,
                Completed = shop.Broker.Counters.Completed - brokerBefore.Completed,
                Abandoned = shop.Broker.Counters.Abandoned - brokerBefore.Abandoned,
                Unsettled = shop.Broker.Counters.Unsettled - brokerBefore.Unsettled,
                DeadLettered = shop.Broker.Counters.DeadLettered - brokerBefore.DeadLettered,
            },
            history.Count == 0 ? 0 : history.Average(h => h.Count),
            history.SelectMany(h => h).GroupBy(t => t).ToDictionary(g => g.Key, g => (double)g.Count() / Math.Max(1, history.Count)),
            allocated,
            gcAfter.Item1 - gcBefore.Item1,
            gcAfter.Item3 - gcBefore.Item3,
            cpuAfter.Self - cpuBefore.Self,
            cpuAfter.Azurite - cpuBefore.Azurite,
            Environment.ProcessorCount,
            stepGaps.ToDictionary(p => p.Key, p => LatencyStats.Of(p.Value), StringComparer.Ordinal));
    }

    private static (long Total, long Failed, Dictionary<string, long> ByKind) Delta(
        (long Total, long Failed, Dictionary<string, long> ByKind) before,
        (long Total, long Failed, Dictionary<string, long> ByKind) after) =>
        (after.Total - before.Total, after.Failed - before.Failed,
         after.ByKind.ToDictionary(p => p.Key, p => p.Value - before.ByKind.GetValueOrDefault(p.Key), StringComparer.Ordinal));

    private static async Task<double> TimeAsync(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        await call();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>One to three catalog items, one to three of each, spread over the whole catalog (fixed seed).</summary>
    private JsonObject NextOrder()
    {
        var body = OrderRequests.Valid();
        var items = new JsonArray();
        foreach (var item in CatalogSeed.Items.OrderBy(_ => _random.Next()).Take(_random.Next(1, 4)))
        {
            items.Add(new JsonObject { ["sku"] = item.Sku, ["quantity"] = _random.Next(1, 4) });
        }

        body["items"] = items;
        return body;
    }

    /// <summary>One order end to end, whose row becomes the template of the bare inserts.</summary>
    private async Task PrimeAsync()
    {
        var response = await shop.SubmitAsync(NextOrder(), "bench-prime");
        var orderId = response.Json().GetProperty("orderId").GetString()!;
        await _completions.GetOrAdd(orderId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(OrderPatience);
        _bareRow = (await shop.Shop.OrdersTable.GetEntityAsync<TableEntity>(orderId, OrderRow.OrderRowKey)).Value;
    }

    /// <summary>A row the size of a real order row (a real one, copied), under a partition of its own.</summary>
    private TableEntity BareRow() =>
        new(_bareRow!.Where(p => p.Key is not ("odata.etag" or "Timestamp")).ToDictionary())
        {
            PartitionKey = Guid.NewGuid().ToString("N"),
        };
}

public sealed record PipelineOptions(int Orders, int InFlight, int Warmup);

public sealed record PipelineResult(
    int Orders,
    int Failures,
    TimeSpan UntilLastCompleted,
    TimeSpan UntilDrained,
    LatencyStats Submit,
    LatencyStats BareInsert,
    (long Total, long Failed, Dictionary<string, long> ByKind) Tables,
    (long Total, long Failed, Dictionary<string, long> ByKind) Blobs,
    BrokerCounters Broker,
    double HistoryEventsPerOrder,
    Dictionary<string, double> HistoryByType,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen2Collections,
    TimeSpan CpuSelf,
    TimeSpan CpuAzurite,
    int ProcessorCount,
    Dictionary<string, LatencyStats> StepGaps);
