using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.DurableTask.Client;
using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Notifications;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>
/// Whole orders through the whole app (<see cref="EndToEnd.Harness.ShopPipeline"/>) while about 10% of storage calls,
/// broker sends, broker deliveries and webhook receipts fail and 10% are slowed by 50-200 ms (Polly chaos strategies,
/// <see cref="Chaos"/>). Then the faults stop, the sweeper and the retries finish the work, and every invariant is
/// checked over whole tables of a private Azurite. SHOP_FAULT_ORDERS sets the number of orders (default 30).
/// </summary>
[Collection(FaultRunStorage.Name)]
[Trait("Category", "Slow")]
public sealed class OrderPipelineUnderFaults(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Seed = 90210;

    private static readonly string[] HappyEvents = ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentDispatched", "OrderCompleted"];
    private static readonly string[] DeclinedEvents = ["OrderAccepted", "StockReserved", "StockReleased", "OrderFailed"];
    private static readonly string[] OutOfStockEvents = ["OrderAccepted", "OrderFailed"];
    // A cancel right after the 202 reaches the saga at some step: every step before it happened (and is undone), none after.
    private static readonly string[] CancelledEvents = ["OrderAccepted", "OrderCancelled"];

    private static readonly string[] CancelledMaybeEvents =
    [
        "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentCancellationRequested", "ShipmentCancelled", "PaymentRefunded",
        "StockReleased",
    ];

    private static int Orders => int.TryParse(Environment.GetEnvironmentVariable("SHOP_FAULT_ORDERS"), out var n) && n > 0 ? n : 30;

    /// <summary>Faults stay on until every order is terminal or this has passed since the start.</summary>
    private static TimeSpan FaultWindow => TimeSpan.FromSeconds(Math.Max(20, Orders / 5));

    [Fact]
    public async Task KeepsEveryInvariantGivenTenPercentFaults() => await RunAsync(restarts: false);

    [Fact]
    public async Task KeepsEveryInvariantGivenConsumerAndSweeperRestarts() => await RunAsync(restarts: true);

    private async Task RunAsync(bool restarts)
    {
        var chaos = new Chaos(Seed);
        var runId = restarts ? "restart" : "faults";
        var planned = FaultRun.Plan(Orders, runId);
        await using var run = await FaultRun.StartAsync(azurite, chaos, keepLog: true, scarceStock: planned.Count(o => o.Kind == OrderKind.Scarce) / 2);
        var watch = Stopwatch.StartNew();
        run.StartTimers();
        chaos.Enabled = true;

        var submitting = Parallel.ForEachAsync(planned, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (order, _) => await run.SubmitAsync(order));
        var restartsDone = restarts ? RestartAsync(run) : Task.FromResult(0);
        await submitting;
        var submitted = watch.Elapsed;
        var restartCount = await restartsDone;
        // Keyless clients told 5xx gave up: those orders must not exist. Every other order was accepted.
        var plan = planned.Where(o => o.Accepted).ToList();
        var refused = planned.Where(o => !o.Accepted).ToList();

        // Faults stay on while the orders go through the saga (or for at most a minute), then stop so the retries drain.
        var atFaultsOff = await run.WaitForTerminalAsync(plan.Select(o => o.OrderId), FaultWindow);
        chaos.Enabled = false;
        var faultsOff = watch.Elapsed;
        output.WriteLine("in flight when the faults stopped: " + string.Join(", ", plan
            .Where(o => !atFaultsOff.TryGetValue(o.OrderId, out var r) || !OrderStatuses.IsTerminal(r.Status))
            .GroupBy(o => (o.Kind, atFaultsOff.GetValueOrDefault(o.OrderId)?.Status)).Select(g => $"{g.Count()} {g.Key.Kind} {g.Key.Status}")));
        var rows = await run.WaitForTerminalAsync(plan.Select(o => o.OrderId), TimeSpan.FromSeconds(60 + (2 * Orders)));
        // Retries' delayed copies (some minutes out after a run of faults) come within seconds: every effect is checked below.
        await run.DrainAsync(TimeSpan.FromSeconds(120), releaseScheduled: true);
        var elapsed = watch.Elapsed;
        await run.StopTimersAsync();
        // Every order's watch ends: with the faults off the watchdog closes each entry (before the conservation check, which
        // then also counts whatever a look sent).
        var stillOpen = await run.CloseOpenOrdersAsync(TimeSpan.FromSeconds(60));

        Report(run, plan, rows, submitted, faultsOff, elapsed, restartCount);
        var conservation = await run.Pipeline.ConservationAsync(null, run.Receiver);
        output.WriteLine(conservation.ToString());
        var lies = await run.LiesAsync(refused, runId);
        Assert.True(lies.Count == 0, string.Join("\n", lies.Select(l => $"Order {l.OrderId} exists, though its keyless client (order {l.Order.Index}) was answered {l.Order.RefusedWith} (issue 13 case 6).")));
        await AssertInvariantsAsync(run, plan, rows, restartCount);
        Assert.True(stillOpen.Count == 0, $"Open-orders entries left after the drain: {string.Join(", ", stillOpen)}.");
        // A flag writes its NeedsAttention row before the entry goes: an empty list means no look (nor saga) flagged an order.
        Assert.Empty(await run.NeedsAttentionAsync());
        // Over whole tables: money and goods conserved for every order, announcements true (issue 13).
        conservation.AssertHolds();
    }

    /// <summary>Twice while orders are in flight (2 s and 5 s in): the consumers and the sweeper stop, as in a host shutdown, and start again 1 s later.</summary>
    private static async Task<int> RestartAsync(FaultRun run)
    {
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await run.Pipeline.Broker.StopConsumersAsync();
            await run.StopTimersAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            run.Pipeline.StartConsumers();
            run.StartTimers();
        }

        return 2;
    }

    private void Report(FaultRun run, List<PlannedOrder> plan, Dictionary<string, OrderOutcome> rows, TimeSpan submitted, TimeSpan faultsOff, TimeSpan elapsed, int restarts)
    {
        var chaos = run.Chaos;
        var counters = run.Pipeline.Broker.Counters;
        var outcomes = plan.GroupBy(o => (o.Kind, Outcome: rows.TryGetValue(o.OrderId, out var r) ? $"{r.Status}{(r.FailureReason is null ? "" : "/" + r.FailureReason)}" : "missing"))
            .OrderBy(g => g.Key.Kind).Select(g => $"{g.Key.Kind} -> {g.Key.Outcome}: {g.Count()}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            orders: {plan.Count} ({string.Join(", ", plan.GroupBy(o => o.Kind).Select(g => $"{g.Count()} {g.Key}"))}); restarts: {restarts}
            outcomes: {string.Join("; ", outcomes)}
            keyless submissions answered 5xx and not retried: {run.KeylessRefused}; lost responses at the transport (below the SDK's retries): {run.Transport.Injected(TransportFault.LoseResponse)} of {run.Transport.Requests} requests
            faults injected: storage {chaos.StorageFaults} (503 before sending) + {chaos.StorageLostResponses} (response lost after the request ran), broker sends {chaos.SendFaults}, broker deliveries {chaos.DeliveryFaults}, webhook receiver 500s {chaos.ReceiverFaults}; latency +50..200 ms on {chaos.Latencies} calls
            client retries (5xx answered, same Idempotency-Key): {run.ClientRetries}
            cancellations that reached the saga after the shipment (order Completed): {plan.Count(o => o.Kind == OrderKind.Cancelled && rows.TryGetValue(o.OrderId, out var r) && r.Status == OrderStatuses.Completed)}
            broker: {counters.Sends} sends ({run.Pipeline.Broker.ReleasedEarly} scheduled ones brought forward in the drain), {counters.DuplicatesDropped} duplicates dropped, {counters.Deliveries} deliveries, {counters.Completed} completed, {counters.Abandoned} abandoned, {counters.Unsettled} unsettled (faults, restarts), {counters.DeadLettered} dead-lettered
            sweeper: {run.Sweeps} sweeps, {run.SweepFailures} ended by a fault
            watchdog: {run.Watchdog.Due} looks ({run.Watchdog.Rechecked} rescheduled: a saga running, or outbox rows left; {run.Watchdog.Started} sagas started, {run.Watchdog.Closed} entries closed, {run.Watchdog.Flagged} flagged, {run.Watchdog.Failed} looks failed), {run.WatchFailures} runs ended by a fault
            webhook circuit opened: {run.Pipeline.Shop.Logs.Records.Count(r => r.Message.StartsWith("Circuit to webhook host", StringComparison.Ordinal) && r.Message.Contains("opened", StringComparison.Ordinal))} times
            webhook requests: {run.Receiver.RequestCount}, answered 2xx: {run.Answered2xx.Values.Sum()}
            submitted in {submitted.TotalSeconds:0.0} s; faults off at {faultsOff.TotalSeconds:0.0} s; all terminal and broker idle after {elapsed.TotalSeconds:0.0} s
            """));
        foreach (var dead in run.Pipeline.Broker.DeadLetters)
        {
            output.WriteLine($"dead letter: {dead.Entity.Path} {dead.Message.Subject} {dead.Message.MessageId} after {dead.DeliveryCount}: {dead.Reason}: {dead.Description}");
        }
    }

    private async Task AssertInvariantsAsync(FaultRun run, List<PlannedOrder> plan, Dictionary<string, OrderOutcome> rows, int restarts)
    {
        // No order lost: every 202 has its order row and a finished saga; no order exists twice.
        Assert.Equal(plan.Count, plan.Select(o => o.OrderId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(plan.Count, rows.Count);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        foreach (var order in plan)
        {
            Assert.True(rows.ContainsKey(order.OrderId), $"Order {order.Index} ({order.OrderId}) has no order row.");
            var engine = run.Pipeline.EngineFor(order.OrderId).Client;
            var saga = await engine.GetInstanceAsync(order.OrderId);
            while (saga?.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending && DateTimeOffset.UtcNow < deadline)
            {
                // The last activity writes the row; the saga ends just after.
                await Task.Delay(200);
                saga = await engine.GetInstanceAsync(order.OrderId);
            }

            if (saga?.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                output.WriteLine($"saga {order.OrderId}: {saga?.RuntimeStatus} {saga?.SerializedCustomStatus}");
                PrintLogs(run, order.OrderId);
            }

            Assert.True(saga?.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"Saga of {order.OrderId} is {saga?.RuntimeStatus}.");
        }

        // Each order ended as its kind says.
        foreach (var order in plan)
        {
            var row = rows[order.OrderId];
            var expected = order.Kind switch
            {
                OrderKind.Happy => [new OrderOutcome(OrderStatuses.Completed, null)],
                OrderKind.Declined => [new OrderOutcome(OrderStatuses.Failed, FailureReasons.PaymentDeclined)],
                // The cancel is a request (202): when the client's retries delay it past the carrier's dispatch, the
                // saga sees ShipmentDispatched first and completes, as it must once shipped. Counted in the report.
                OrderKind.Cancelled => [new OrderOutcome(OrderStatuses.Cancelled, null), new OrderOutcome(OrderStatuses.Completed, null)],
                _ => new[] { new OrderOutcome(OrderStatuses.Completed, null), new OrderOutcome(OrderStatuses.Failed, FailureReasons.OutOfStock) },
            };
            if (!expected.Contains(row))
            {
                PrintLogs(run, order.OrderId);
            }

            Assert.True(expected.Contains(row), $"Order {order.Index} ({order.Kind}, {order.OrderId}) ended {row}.");
        }

        var completedScarce = plan.Count(o => o.Kind == OrderKind.Scarce && rows[o.OrderId].Status == OrderStatuses.Completed);
        Assert.Equal(run.ScarceStock, completedScarce);

        // No message lost: nothing dead-lettered (FaultRun.Settings says why webhook deliveries get 16 attempts here).
        var deadLetters = run.Pipeline.Broker.DeadLetters.ToList();
        Assert.True(deadLetters.Count == 0, string.Join("\n", deadLetters.Select(d => $"Dead letter on {d.Entity.Path}: {d.Message.MessageId}: {d.Reason}: {d.Description}")));

        // No double charge, a refund for each cancelled order that was charged, no charge without stock. A cancel that
        // reached the saga before the payment step leaves no charge (or the provider's closed tombstone); the conservation
        // check above weighs the money either way.
        var payments = await run.Tables.PaymentKindsAsync();
        foreach (var order in plan)
        {
            string[][] expected = (order.Kind, rows[order.OrderId].Status) switch
            {
                (OrderKind.Declined, _) => [["charge:Declined"]],
                (OrderKind.Cancelled, OrderStatuses.Cancelled) => [["charge:Captured", "refund"], ["charge:Closed"], []],
                (_, OrderStatuses.Completed) => [["charge:Captured"]],
                _ => [[]],
            };
            var actual = payments.GetValueOrDefault(order.OrderId) ?? [];
            Assert.True(expected.Any(e => e.SequenceEqual(actual)), $"Payments of {order.OrderId} ({order.Kind}): {string.Join(", ", actual)}.");
        }

        Assert.Empty(payments.Keys.Except(plan.Select(o => o.OrderId), StringComparer.Ordinal));

        // E-mails: the expected ones, each once (blob names are unique), no other.
        var container = run.Blobs.GetBlobContainerClient(SandboxEmailSender.ContainerName);
        var emails = (await container.GetBlobsAsync().ToListAsync())
            .Select(b => b.Name.Split('/'))
            .GroupBy(parts => parts[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(parts => parts[1][..^".eml".Length]).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var order in plan)
        {
            var row = rows[order.OrderId];
            var (required, optional) = ExpectedEmails(order.Kind, row);
            var got = emails.GetValueOrDefault(order.OrderId) ?? [];
            var expectedEmails = required.All(got.Contains) && got.All(e => required.Contains(e) || optional.Contains(e));
            if (!expectedEmails)
            {
                PrintLogs(run, order.OrderId);
            }

            Assert.True(expectedEmails, $"E-mails of {order.OrderId} ({order.Kind}, {row.Status}): {string.Join(", ", got)}.");
        }

        var emailCommands = run.Pipeline.Broker.Completed.Where(d => d.Entity.Path == Shop.Functions.Messaging.Queues.SendEmail)
            .GroupBy(d => d.Message.MessageId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(emailCommands);

        // Webhooks: each (order, event type) answered 2xx exactly once, validly signed; a 500 is retried with the same id.
        var received = run.Receiver.Requests.Select(r => (Request: r, Event: JsonDocument.Parse(r.Body).RootElement)).ToList();
        Assert.All(received, r => Assert.True(WebhookDeliveryTest.IsSignedWith(r.Request, run.WebhookSecret), $"Bad signature on {r.Request.Header("webhook-id")}."));
        // At-least-once: a delivery posted and answered 2xx whose outcome could not then be recorded (a storage fault,
        // or a restart in the middle) is posted again after its lease, with the same webhook-id, which receivers dedupe.
        // A 2xx beyond those is a double delivery.
        var failedAttempts = run.Pipeline.Shop.Logs.Records
            .Where(r => (r.Category.EndsWith("MessagePipeline", StringComparison.Ordinal) || r.Category.EndsWith("FanOutWebhooksHandler", StringComparison.Ordinal))
                && r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning)
            .Select(r => r.Message).ToList();
        // Each 2xx beyond the first needs a failed attempt of that delivery in between (its outcome was not recorded): a
        // warning of the consumer pipeline, or of the fan-out's own first attempt.
        var redelivered = run.Answered2xx.Where(pair => pair.Value > 1).Select(pair => pair.Key).ToList();
        Assert.All(run.Answered2xx.Where(pair => pair.Value > 1), pair =>
        {
            var failures = failedAttempts.Count(m => m.Contains(pair.Key, StringComparison.Ordinal) && m.Contains("Chaos", StringComparison.Ordinal));
            Assert.True(
                pair.Value <= 1 + failures + restarts,
                $"Webhook {pair.Key} was answered 2xx {pair.Value} times with {failures} injected failures and {restarts} restarts in between.");
        });
        output.WriteLine($"webhooks answered 2xx twice (same webhook-id) after a storage fault or restart: {redelivered.Count}");
        var delivered = received.Where(r => run.Answered2xx.ContainsKey(r.Request.Header("webhook-id")))
            .DistinctBy(r => r.Request.Header("webhook-id"), StringComparer.Ordinal)
            .GroupBy(r => r.Event.GetProperty("subject").GetString()!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Event.GetProperty("type").GetString()!).ToList(), StringComparer.Ordinal);
        foreach (var order in plan)
        {
            var row = rows[order.OrderId];
            var (required, optional) = ExpectedEvents(order.Kind, row);
            var got = delivered.GetValueOrDefault(order.OrderId) ?? [];
            Assert.True(
                got.Count == got.Distinct(StringComparer.Ordinal).Count() && required.All(got.Contains) && got.All(e => required.Contains(e) || optional.Contains(e)),
                $"Webhooks of {order.OrderId} ({order.Kind}, {row.Status}): {string.Join(", ", got)}.");
        }

        // Stock = seed - units sold, and the catalog counted exactly those sales.
        var completed = plan.Where(o => rows[o.OrderId].Status == OrderStatuses.Completed).ToList();
        var units = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [FaultRun.PlentySku1] = 2 * completed.Count(o => o.Kind != OrderKind.Scarce),
            [FaultRun.PlentySku2] = completed.Count(o => o.Kind != OrderKind.Scarce),
            [FaultRun.ScarceSku] = completedScarce,
        };
        var sales = new CatalogSales(run.Tables);
        foreach (var (sku, sold) in units)
        {
            var seed = sku == FaultRun.ScarceSku ? run.ScarceStock : FaultRun.Plenty;
            Assert.Equal((sku, seed - sold), (sku, await run.StockAsync(sku)));
            Assert.Equal((sku, (long)sold), (sku, await sales.GetUnitsSoldAsync(sku, CancellationToken.None)));
        }

        output.WriteLine($"invariants held: {plan.Count} orders terminal as expected, 0 lost, 0 dead letters, 0 double charges, e-mails and webhooks once each, stock = seed - sold for {units.Count} SKUs");
    }

    /// <summary>What the app logged about one order, to explain a broken invariant.</summary>
    private void PrintLogs(FaultRun run, string orderId)
    {
        foreach (var log in run.Pipeline.Shop.Logs.Records.Where(r => r.Scope.Values.Contains(orderId) || r.Message.Contains(orderId, StringComparison.Ordinal)))
        {
            output.WriteLine($"  {log.Category} {log.Level}: {log.Message} {log.Exception?.Message}");
        }
    }

    /// <summary>
    /// Required and allowed e-mails. OrderAccepted is allowed, not required: when a retried OrderAccepted reaches the
    /// notifications after the order's final status was e-mailed, it is stale and sends nothing, by design
    /// (docs/messaging.md). A cancelled order ships nothing, so ShipmentDispatched is never announced for it; it is refunded
    /// only if the cancel came after the charge (the conservation check weighs every announced refund against the provider).
    /// </summary>
    private static (string[] Required, string[] Optional) ExpectedEmails(OrderKind kind, OrderOutcome row) => (kind, row.Status) switch
    {
        (OrderKind.Cancelled, OrderStatuses.Cancelled) => (["OrderCancelled"], ["OrderAccepted", "PaymentRefunded"]),
        (_, OrderStatuses.Completed) => (["OrderCompleted", "ShipmentDispatched"], ["OrderAccepted"]),
        _ => (["OrderFailed"], ["OrderAccepted"]),
    };

    private static (string[] Required, string[] Optional) ExpectedEvents(OrderKind kind, OrderOutcome row) => (kind, row.Status) switch
    {
        (OrderKind.Cancelled, OrderStatuses.Cancelled) => (CancelledEvents, CancelledMaybeEvents),
        // A cancel that reaches the saga after the carrier took the parcel: the shipment's cancellation is asked for and
        // refused, and the order completes ("a dispatch at the same moment wins").
        (OrderKind.Cancelled, OrderStatuses.Completed) => (HappyEvents, ["ShipmentCancellationRequested"]),
        (OrderKind.Declined, _) => (DeclinedEvents, []),
        (_, OrderStatuses.Completed) => (HappyEvents, []),
        _ => (OutOfStockEvents, []),
    };
}
