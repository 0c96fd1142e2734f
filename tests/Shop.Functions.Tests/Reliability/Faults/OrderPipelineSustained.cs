using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>
/// Orders at a fixed rate through the whole app (<see cref="EndToEnd.Harness.ShopPipeline"/>) for a while, sampling the
/// process's working set and GC heap every 5 s: memory must level off, not grow with the number of orders. In the suite
/// a short run (15 s at 4 orders/s); SHOP_SUSTAINED_SECONDS and SHOP_SUSTAINED_RATE lengthen it. No faults, no message log.
/// </summary>
[Collection(FaultRunStorage.Name)]
[Trait("Category", "Slow")]
[Trait("Category", "Sustained")]
public sealed class OrderPipelineSustained(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(5);

    private static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("SHOP_SUSTAINED_SECONDS"), out var s) && s > 0 ? s : 15;

    private static double Rate => double.TryParse(Environment.GetEnvironmentVariable("SHOP_SUSTAINED_RATE"), CultureInfo.InvariantCulture, out var r) && r > 0 ? r : 4;

    [Fact]
    public async Task SustainedRun()
    {
        var chaos = new Chaos(seed: 1);
        await using var run = await FaultRun.StartAsync(azurite, chaos, keepLog: false, scarceStock: 0);
        run.StartTimers();
        var pending = new List<Task>();
        var orders = new List<PlannedOrder>();
        var samples = new List<Sample>();
        var watch = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds(1 / Rate);
        var nextSample = SampleEvery;
        long? warmWorkingSet = null;
        var purged = 0;
        var purgedIds = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; watch.Elapsed < TimeSpan.FromSeconds(Seconds); i++)
        {
            var order = new PlannedOrder(i, OrderKind.Happy, string.Create(CultureInfo.InvariantCulture, $"sustained-{i}"), FaultRun.Body(OrderKind.Happy, "sustained"));
            orders.Add(order);
            pending.Add(run.SubmitAsync(order));
            if (watch.Elapsed >= nextSample)
            {
                purged += await PurgeFinishedSagasAsync(run, orders, purgedIds);
                samples.Add(await SampleAsync(run, watch, orders.Count, forceGc: samples.Count == 0));
                warmWorkingSet ??= samples[0].WorkingSet;
                nextSample += SampleEvery;
            }

            var due = interval * (i + 1);
            if (due > watch.Elapsed)
            {
                await Task.Delay(due - watch.Elapsed);
            }
        }

        await Task.WhenAll(pending);
        var submittedIn = watch.Elapsed;
        var rows = await run.WaitForTerminalAsync(orders.Select(o => o.OrderId), TimeSpan.FromSeconds(120 + Seconds));
        await run.DrainAsync(TimeSpan.FromSeconds(120));
        var drainedIn = watch.Elapsed;
        await run.StopTimersAsync();
        purged += await PurgeFinishedSagasAsync(run, orders, purgedIds);
        var end = await SampleAsync(run, watch, orders.Count, forceGc: true);
        samples.Add(end);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{orders.Count} orders at {Rate}/s for {Seconds} s; submitted in {submittedIn.TotalSeconds:0.0} s, all terminal and broker idle at {drainedIn.TotalSeconds:0.0} s"));
        output.WriteLine("| t (s) | submitted | terminal | broker outstanding | working set (MB) | GC heap (MB) |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var s in samples)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.At.TotalSeconds:0} | {s.Submitted} | {s.Terminal} | {s.Outstanding} | {s.WorkingSet / 1e6:0} | {s.GcHeap / 1e6:0} |"));
        }

        output.WriteLine("(first and last rows after a full GC)");
        var history = run.Pipeline.Engines.Sum(DurableHistory.HistoryCharacters);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"finished sagas purged from the engines as the run went (as a task hub's history is purged in production): {purged}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"held by the in-memory Durable engines: {history / 1e6:0.0} M characters of history JSON ({2 * history / 1e6:0} MB as UTF-16), {2.0 * history / orders.Count / 1024:0.0} KiB per order"));
        Assert.All(orders, o => Assert.Equal(OrderStatuses.Completed, rows[o.OrderId].Status));
        Assert.Empty(run.Pipeline.Broker.DeadLetters);
        Assert.True(end.WorkingSet < 3 * warmWorkingSet!.Value, $"Working set grew from {warmWorkingSet / 1e6:0} MB after warm-up to {end.WorkingSet / 1e6:0} MB.");
    }

    /// <summary>
    /// Purges the sagas of finished orders from the in-memory engines, as a production task hub's history is purged on a
    /// schedule; otherwise the engines keep every orchestration and the run measures them, not the app.
    /// </summary>
    private static async Task<int> PurgeFinishedSagasAsync(FaultRun run, List<PlannedOrder> orders, HashSet<string> purged)
    {
        var count = 0;
        foreach (var order in orders.Where(o => o.OrderId.Length > 0 && !purged.Contains(o.OrderId)))
        {
            var client = run.Pipeline.EngineFor(order.OrderId).Client;
            var saga = await client.GetInstanceAsync(order.OrderId);
            if (saga?.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Completed)
            {
                await client.PurgeInstanceAsync(order.OrderId);
                purged.Add(order.OrderId);
                count++;
            }
        }

        return count;
    }

    private static async Task<Sample> SampleAsync(FaultRun run, Stopwatch watch, int submitted, bool forceGc)
    {
        if (forceGc)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        var terminal = (await run.Table(StorageTables.Orders).QueryAsync<TableEntity>(e => e.RowKey == "order", select: ["Status"]).ToListAsync())
            .Count(e => OrderStatuses.IsTerminal(e.GetString("Status")!));
        using var process = Process.GetCurrentProcess();
        return new Sample(watch.Elapsed, submitted, terminal, run.Pipeline.Broker.Outstanding, process.WorkingSet64, GC.GetTotalMemory(false));
    }

    private sealed record Sample(TimeSpan At, int Submitted, int Terminal, long Outstanding, long WorkingSet, long GcHeap);
}
