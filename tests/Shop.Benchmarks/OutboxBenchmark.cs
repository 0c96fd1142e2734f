using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;

namespace Shop.Benchmarks;

/// <summary>Command line of <c>outbox</c>: <c>--completed N</c> (default 100000), <c>--backlog B</c> (10000), <c>--submits S</c> (200).</summary>
public sealed record OutboxBenchmarkOptions(int Completed, int Backlog, int Submits)
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- outbox [--completed N] [--backlog B] [--submits S]";

    public static OutboxBenchmarkOptions? Parse(string[] args, out string? error) =>
        NamedNumbers.Parse(args, new Dictionary<string, int> { ["--completed"] = 100_000, ["--backlog"] = 10_000, ["--submits"] = 200 }, out error) is { } values
            ? new OutboxBenchmarkOptions(values["--completed"], values["--backlog"], values["--submits"])
            : null;
}

/// <summary>
/// The outbox of issue 14, measured: the Table round trips of one sweep with 0, 10,000 and N completed orders in the table
/// (they must not change), the drain rate of a backlog of pending messages, and the submit's latency while the broker
/// takes 3 s to answer, next to a bare insert. Each part has a fresh Azurite. Prints figures; asserts nothing.
/// </summary>
public static class OutboxBenchmark
{
    private const int PendingPerSweep = 10;

    public static async Task<int> RunAsync(OutboxBenchmarkOptions options, string azuriteDirectory, string azuriteVersion)
    {
        Console.WriteLine($"Outbox benchmark: Azurite {azuriteVersion}, {Environment.ProcessorCount} CPUs visible to .NET, .NET {Environment.Version}");
        await SweepRoundTripsAsync(options, azuriteDirectory);
        await DrainAsync(options, azuriteDirectory);
        await SubmitUnderASlowBrokerAsync(options, azuriteDirectory);
        return 0;
    }

    private static async Task SweepRoundTripsAsync(OutboxBenchmarkOptions options, string azuriteDirectory)
    {
        Console.WriteLine();
        Console.WriteLine($"1. Round trips of one sweep of {PendingPerSweep} pending orders, by completed orders already in Orders");
        // On disk, so that the completed orders can be written into Azurite's file (AzuriteServer.AddTableRowCopiesAsync).
        await using var azurite = await AzuriteServer.StartOnDiskAsync(azuriteDirectory);
        await using var services = await BenchmarkServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Outbox:SweepAge"] = "00:00:00",
            ["Outbox:LegacyScanInterval"] = "00:00:00",
        });
        var seeded = 0;
        foreach (var target in new[] { 0, 10_000, options.Completed }.Distinct().Order())
        {
            var seeding = Stopwatch.StartNew();
            await SeedCompletedOrdersAsync(azurite, services, seeded, target - seeded);
            seeded = target;
            var seedSeconds = seeding.Elapsed.TotalSeconds;

            services.Sender.Down = true;
            for (var i = 0; i < PendingPerSweep; i++)
            {
                await services.SubmitAsync(BenchmarkServices.NewRequest(OrderRequests.ValidJson()));
            }

            await services.DrainOutboxAsync();
            services.Sender.Down = false;
            var before = services.Counter.Snapshot();
            var clock = Stopwatch.StartNew();
            var sent = await services.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            var trips = services.Counter.Snapshot().Minus(before);
            Console.WriteLine(
                $"   {seeded,7:N0} completed orders (seeded in {seedSeconds:F1} s): sent {sent}, {trips.Total} round trips " +
                $"({trips.Deletes} deletes, {trips.Transactions} transactions, other: {string.Join(", ", trips.OtherByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}), {elapsed:F0} ms");
        }
    }

    private static async Task DrainAsync(OutboxBenchmarkOptions options, string azuriteDirectory)
    {
        Console.WriteLine();
        Console.WriteLine($"2. Drain of a backlog of {options.Backlog:N0} pending messages (PlaceOrder of orders submitted while the broker was down)");
        await using var azurite = await AzuriteServer.StartAsync(azuriteDirectory);
        await using var services = await BenchmarkServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Outbox:SweepAge"] = "00:00:00",
            ["Outbox:LegacyScanInterval"] = "00:00:00",
            ["Outbox:SweepTimeBudget"] = "00:10:00",
        });
        services.Sender.Down = true;
        var submitted = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Backlog), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            if (await services.SubmitAsync(BenchmarkServices.NewRequest(OrderRequests.ValidJson())) == StatusCodes.Status202Accepted)
            {
                Interlocked.Increment(ref submitted);
            }
        });
        await services.DrainOutboxAsync();
        services.Sender.Down = false;

        var before = services.Counter.Snapshot();
        var sendsBefore = services.Sender.Sends;
        var clock = Stopwatch.StartNew();
        var sent = await services.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        var trips = services.Counter.Snapshot().Minus(before);
        var again = await services.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        Console.WriteLine(
            $"   {submitted:N0} pending, one run: sent {sent:N0} ({services.Sender.Sends - sendsBefore:N0} sends) in {seconds:F1} s = {sent / seconds:F0} messages/s; " +
            $"{(double)trips.Total / Math.Max(1, sent):F2} round trips a message ({trips.Total:N0}); a second run sends {again}");
    }

    private static async Task SubmitUnderASlowBrokerAsync(OutboxBenchmarkOptions options, string azuriteDirectory)
    {
        Console.WriteLine();
        Console.WriteLine($"3. Submit while the broker takes 3 s to answer, {options.Submits} orders one at a time, each next to a bare insert of a copy of an order row");
        await using var azurite = await AzuriteServer.StartAsync(azuriteDirectory);
        await using var services = await BenchmarkServices.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Outbox:SweepAge"] = SlowBrokerSweepAge.ToString() });
        var body = OrderRequests.ValidJson();
        var floor = services.Tables.GetTableClient("BareInsertFloor");
        await floor.CreateIfNotExistsAsync();
        for (var i = 0; i < 100; i++)
        {
            await services.SubmitAsync(BenchmarkServices.NewRequest(body));
        }

        OrderRow? row = null;
        await foreach (var found in services.Tables.GetTableClient(StorageTables.Orders).QueryAsync<OrderRow>(o => o.RowKey == OrderRow.OrderRowKey, maxPerPage: 1))
        {
            row = found;
            break;
        }

        ArgumentNullException.ThrowIfNull(row);
        for (var i = 0; i < 100; i++)
        {
            row.PartitionKey = Guid.NewGuid().ToString("N");
            await floor.AddEntityAsync(row);
        }

        await services.DrainOutboxAsync();
        services.Sender.Latency = TimeSpan.FromSeconds(3);
        var sendsBefore = services.Sender.Sends;
        var idle = await SubmitsNextToInsertsAsync(services, floor, row, body, options.Submits, settle: true);
        var backToBack = await SubmitsNextToInsertsAsync(services, floor, row, body, options.Submits, settle: false);

        var waited = Stopwatch.StartNew();
        await services.DrainOutboxAsync();
        var sentBehind = services.Sender.Sends - sendsBefore;
        var lastAnswered = waited.Elapsed.TotalSeconds;
        foreach (var (label, (submit, insert, _)) in new[] { ("storage idle", idle), ("back to back", backToBack) })
        {
            Console.WriteLine($"   {label}: submit p50 {submit.P50:F2} ms, p99 {submit.P99:F2} ms, max {submit.Max:F2} ms; bare insert p50 {insert.P50:F2} ms, p99 {insert.P99:F2} ms; " +
                $"submit p50 / bare insert p50 = {submit.P50 / insert.P50:F2}x");
        }

        var accepted = idle.Accepted + backToBack.Accepted;
        Console.WriteLine($"   {accepted} of {2 * options.Submits} answered 202 (storage idle: each call after the last one's storage work ended, untimed; back to back: no pause)");
        Console.WriteLine($"   PlaceOrder sends that reached the broker behind the 202: {sentBehind} of {accepted} (the last answered {lastAnswered:F1} s after the last submit)");

        // The rest were written to the outbox index when their send timed out or met the open breaker: the sweeper sends them.
        // Sweeps once a second (the timer's work) until the rest are sent or 30 s have passed.
        services.Sender.Latency = TimeSpan.Zero;
        var sweeping = Stopwatch.StartNew();
        var swept = 0;
        while (sentBehind + swept < accepted && sweeping.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            swept += await services.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        }

        Console.WriteLine($"   sent by the sweeper, the broker answering again: {swept} within {sweeping.Elapsed.TotalSeconds:F0} s; every order reached the broker: {sentBehind + swept == accepted}");
    }

    /// <summary>Outbox:SweepAge for part 3, so that the sweeper may send what the slow broker missed within the run.</summary>
    private static readonly TimeSpan SlowBrokerSweepAge = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <paramref name="count"/> bare inserts and submits, alternating. With <paramref name="settle"/>, each timed call starts
    /// only once storage has nothing in flight and the previous submit's row insert (behind its 202) has been sent; a
    /// PlaceOrder pointer written after a send's 3 s timeout may still land during a later call, as it would in service.
    /// </summary>
    private static async Task<(LatencyStats Submit, LatencyStats Insert, int Accepted)> SubmitsNextToInsertsAsync(
        BenchmarkServices services, TableClient floor, OrderRow row, string body, int count, bool settle)
    {
        var submits = new List<double>(count);
        var inserts = new List<double>(count);
        var accepted = 0;
        var rowInserts = services.Counter.Sent(SubmitBenchmark.RowInsert);
        for (var i = 0; i < count; i++)
        {
            row.PartitionKey = Guid.NewGuid().ToString("N");
            var clock = Stopwatch.StartNew();
            await floor.AddEntityAsync(row);
            inserts.Add(clock.Elapsed.TotalMilliseconds);
            if (settle)
            {
                await services.Counter.WaitUntilIdleAsync(SubmitBenchmark.RowInsert, rowInserts);
            }

            var request = BenchmarkServices.NewRequest(body);
            clock.Restart();
            accepted += await services.SubmitAsync(request) == StatusCodes.Status202Accepted ? 1 : 0;
            submits.Add(clock.Elapsed.TotalMilliseconds);
            rowInserts++;
            if (settle)
            {
                await services.Counter.WaitUntilIdleAsync(SubmitBenchmark.RowInsert, rowInserts);
            }
        }

        return (LatencyStats.Of(submits), LatencyStats.Of(inserts), accepted);
    }

    /// <summary>
    /// Completed orders, as they leave their rows (their outbox work done): the first time, a copy of the row of one of
    /// the orders swept before, moved on to Completed, as the template; then copies of that, written into Azurite's file
    /// while it is stopped, and Azurite started again on it.
    /// </summary>
    private static async Task SeedCompletedOrdersAsync(AzuriteServer azurite, BenchmarkServices services, int from, int count)
    {
        if (count == 0)
        {
            return;
        }

        var orders = services.Tables.GetTableClient(StorageTables.Orders);
        const string Template = "ord_seedtemplate";
        if (from == 0)
        {
            OrderRow? row = null;
            await foreach (var found in orders.QueryAsync<OrderRow>(o => o.RowKey == OrderRow.OrderRowKey, maxPerPage: 1))
            {
                row = found;
                break;
            }

            ArgumentNullException.ThrowIfNull(row);
            var completedAt = DateTimeOffset.UtcNow.AddDays(-30);
            row.PartitionKey = Template;
            row.Status = OrderStatuses.Completed;
            row.Step = OrderStatuses.Completed;
            row.PaymentToken = string.Empty;
            row.ChargeId = "ch_seed";
            row.TrackingNumber = "TRK-SEED";
            row.CreatedAt = completedAt;
            row.UpdatedAt = completedAt;
            await orders.UpsertEntityAsync(row, TableUpdateMode.Replace);
            count--;
        }

        if (count > 0)
        {
            await azurite.StopSavingAsync();
            await azurite.AddTableRowCopiesAsync(StorageTables.Orders, Template, $"ord_seed{from:D7}_", count);
            await azurite.RestartAsync();
        }
    }
}
