using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>What an order is meant to do, and so how it must end.</summary>
public enum OrderKind
{
    /// <summary>Good card, plenty of stock: Completed.</summary>
    Happy,

    /// <summary>tok_decline: Failed (PaymentDeclined), stock released.</summary>
    Declined,

    /// <summary>One unit of a SKU with stock for half of them: Completed or Failed (OutOfStock), exactly as many Completed as the stock.</summary>
    Scarce,

    /// <summary>Happy, cancelled by the client right after the 202: Cancelled, nothing charged (or charged and refunded when the cancel came late), nothing shipped.</summary>
    Cancelled,
}

public sealed record PlannedOrder(int Index, OrderKind Kind, string IdempotencyKey, JsonObject Body)
{
    public string OrderId { get; set; } = string.Empty;

    /// <summary>The client sends no Idempotency-Key: on a 5xx it cannot safely retry, so it does not (and the order must not exist).</summary>
    public bool Keyless { get; init; }

    /// <summary>The 5xx a keyless client was answered and gave up on; null when it got its 202.</summary>
    public int? RefusedWith { get; set; }

    /// <summary>The refusal said nothing was accepted (a 503 may also say the outcome is unknown, which is not a lie).</summary>
    public bool RefusalSaidNothingAccepted { get; set; }

    /// <summary>Accepted (202): the order must exist and end as its kind says.</summary>
    public bool Accepted => OrderId.Length > 0;
}

/// <summary>
/// One run of the whole app (<see cref="ShopPipeline"/>) on a private Azurite under <see cref="Chaos"/>: a webhook
/// receiver that answers 500 when the chaos says so, the outbox sweeper running every second in the background, and
/// clients that retry a 5xx with the same Idempotency-Key, as real clients do.
/// </summary>
public sealed class FaultRun : IAsyncDisposable
{
    public const string PlentySku1 = "SKU-030";
    public const string PlentySku2 = "SKU-031";
    public const string ScarceSku = "SKU-032";
    public const int Plenty = 1_000_000;

    private readonly ConcurrentDictionary<string, int> _answered2xx = new(StringComparer.Ordinal);
    private readonly Lock _watchLock = new();
    private CancellationTokenSource? _timersStop;
    private Task _timers = Task.CompletedTask;
    private long _clientRetries, _sweeps, _sweepFailures, _watchFailures, _keylessRefused;
    private bool _keepLog;

    private FaultRun(AzuriteServer server, ShopPipeline pipeline, WebhookReceiver receiver, Chaos chaos, TransportFaults transport)
    {
        Transport = transport;
        Server = server;
        Pipeline = pipeline;
        Receiver = receiver;
        Chaos = chaos;
        Tables = new TableServiceClient(server.ConnectionString);
        Blobs = new BlobServiceClient(server.ConnectionString);
    }

    public AzuriteServer Server { get; }

    public ShopPipeline Pipeline { get; }

    public WebhookReceiver Receiver { get; }

    public Chaos Chaos { get; }

    /// <summary>Lost responses below the SDK's retries (the SDK resends a committed write), while the chaos is on.</summary>
    public TransportFaults Transport { get; }

    /// <summary>Keyless submissions answered 5xx, which their clients did not retry.</summary>
    public long KeylessRefused => Interlocked.Read(ref _keylessRefused);

    public string WebhookSecret { get; private set; } = string.Empty;

    public int ScarceStock { get; private set; }

    public long ClientRetries => Interlocked.Read(ref _clientRetries);

    public long Sweeps => Interlocked.Read(ref _sweeps);

    public long SweepFailures => Interlocked.Read(ref _sweepFailures);

    /// <summary>Watchdog runs ended by a fault in their due query (a look that fails is counted in <see cref="Watchdog"/>).</summary>
    public long WatchFailures => Interlocked.Read(ref _watchFailures);

    /// <summary>What the watchdog's runs did, added up over the run.</summary>
    public WatchdogRun Watchdog { get; private set; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>Webhook ids the receiver answered with 2xx, and how many times.</summary>
    public IReadOnlyDictionary<string, int> Answered2xx => _answered2xx;

    /// <summary>Production's number of consumer retries and webhook redeliveries, on a schedule of seconds.</summary>
    public static Dictionary<string, string?> Settings(bool keepShipmentsPending = false) => new()
    {
        // A backlog under faults must not turn into shipping timeouts: the timeout is not what is under test.
        ["Fulfillment:ShippingTimeout"] = "00:30:00",
        // An activity makes up to 7 storage calls (stock and reservation rows of 2 SKUs, the order, its transaction), so
        // with 10% of calls failing after the SDK's retries an attempt fails about half the time, and production's 6
        // attempts all fail for about 2% of activities: the order then ends Failed (FulfillmentError) with its
        // compensations, consistent but not what a customer wants. Production spreads its 6 attempts over ~10 minutes, so
        // that takes a fault rate sustained for that long; here the attempts come within seconds, and 20 of them make
        // exhaustion about one in a million, so the test can demand that every happy order completes.
        ["Fulfillment:ActivityMaxAttempts"] = "20",
        // Consumers: production has 6 attempts over about 2.5 hours; a handler makes 2 to 5 storage calls, so under these
        // faults 6 attempts seconds apart all fail for about 1 message in 1,000 (1 of ~5,000 in a 500-order run). 16
        // attempts, for the same reason as the webhooks below.
        ["Consumers:RetryDelays:0"] = "00:00:01",
        ["Consumers:RetryDelays:1"] = "00:00:01",
        ["Consumers:RetryDelays:2"] = "00:00:02",
        ["Consumers:RetryDelays:3"] = "00:00:03",
        ["Consumers:RetryDelays:4"] = "00:00:04",
        ["Consumers:RetryDelays:5"] = "00:00:04",
        ["Consumers:RetryDelays:6"] = "00:00:04",
        ["Consumers:RetryDelays:7"] = "00:00:04",
        ["Consumers:RetryDelays:8"] = "00:00:04",
        ["Consumers:RetryDelays:9"] = "00:00:04",
        ["Consumers:RetryDelays:10"] = "00:00:04",
        ["Consumers:RetryDelays:11"] = "00:00:04",
        ["Consumers:RetryDelays:12"] = "00:00:04",
        ["Consumers:RetryDelays:13"] = "00:00:04",
        ["Consumers:RetryDelays:14"] = "00:00:04",
        // Production gives a webhook delivery 8 attempts over about a day. Here every storage call fails 10% of the time
        // after the SDK's own retries, so an attempt (claim, post, record) fails about 40% of the time, and 8 attempts
        // seconds apart all fail for about 1 delivery in 1,000 (3 of 2,967 in a 500-order run): a fault rate no real
        // account keeps up for a day. 16 attempts make that about one in a million, so the test can demand none.
        ["Webhooks:RedeliveryDelays:0"] = "00:00:01",
        ["Webhooks:RedeliveryDelays:1"] = "00:00:01",
        ["Webhooks:RedeliveryDelays:2"] = "00:00:02",
        ["Webhooks:RedeliveryDelays:3"] = "00:00:03",
        ["Webhooks:RedeliveryDelays:4"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:5"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:6"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:7"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:8"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:9"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:10"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:11"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:12"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:13"] = "00:00:04",
        ["Webhooks:RedeliveryDelays:14"] = "00:00:04",
        // Production leases a claimed delivery for 2 min against a schedule of about a day; here 3 s against 22 s.
        ["Webhooks:DeliveryLease"] = "00:00:03",
        // Production breaks a host's circuit for 1 min against a redelivery schedule of a day; here 2 s against a minute.
        ["Webhooks:CircuitBreakerSamplingDuration"] = "00:00:10",
        ["Webhooks:CircuitBreakerBreakDuration"] = "00:00:02",
        ["Shipping:DispatchDelay"] = keepShipmentsPending ? "01:00:00" : "00:00:00.200",
        // Production first looks at an order 15 min after intake and again every 30 min; here 3 s and 2 s, so the watchdog
        // looks at most orders while their sagas run (and at some whose PlaceOrder a fault held back), not only after.
        ["OpenOrders:DueAfter"] = "00:00:03",
        ["OpenOrders:RecheckInterval"] = "00:00:02",
    };

    /// <param name="keepLog">Keep every message, log record and webhook request for the invariants; off in a long run
    /// whose memory is measured, so that the harness's own records do not count as the app's.</param>
    /// <param name="settings">Added to (or overriding) <see cref="Settings"/>: a run's own policy, such as backorders.</param>
    public static async Task<FaultRun> StartAsync(AzuriteFixture azurite, Chaos chaos, bool keepLog, int scarceStock, IDictionary<string, string?>? settings = null)
    {
        var server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        var receiver = await WebhookReceiver.StartAsync();
        var storage = new FaultyStorage(chaos);
        // Below the SDK's retries: about 2.5% of writes carried out and their answer lost, so the SDK sends them again.
        var transport = new TransportFaults(seed: 2718) { EnabledWhen = () => chaos.Enabled };
        transport.LoseResponsesAtRate(StorageRequest.AnyWrite, chaos.FaultRate / 4);
        var pipeline = await ShopPipeline.StartAsync(
            server.ConnectionString,
            new BrokerOptions { SendFaults = chaos.Sends, DeliveryFaults = chaos.Deliveries, KeepLog = keepLog },
            new Dictionary<string, string?>([.. Settings(), .. settings ?? new Dictionary<string, string?>()]),
            services =>
            {
                storage.Install(services);
                transport.Install(services);
                if (!keepLog)
                {
                    services.RemoveAll<ILoggerProvider>();
                }
            },
            engines: 8);
        var run = new FaultRun(server, pipeline, receiver, chaos, transport) { _keepLog = keepLog };
        receiver.Responder = run.Answer;
        receiver.RecordRequests = keepLog;
        (_, run.WebhookSecret) = await WebhookTests.RegisterAsync(pipeline.Shop, receiver.Url.ToString(), "*");
        run.ScarceStock = scarceStock;
        await run.SetStockAsync(PlentySku1, Plenty);
        await run.SetStockAsync(PlentySku2, Plenty);
        await run.SetStockAsync(ScarceSku, scarceStock);

        // Scarcity is the point: the scarce SKU is never reordered (a replenishment mid-run would complete more than its stock).
        await pipeline.Conservation.Tables.SetReorderPointAsync(ScarceSku, 0);

        // A shop in service has read its catalog before: the cache is warm, so a storage fault is served from it.
        var catalog = await pipeline.HttpAsync("ListCatalogItems", "GET", "/api/catalog/items");
        if (catalog.Status != 200)
        {
            throw new InvalidOperationException($"Catalog warm-up answered {catalog.Status}: {catalog.Body}");
        }

        return run;
    }

    /// <summary>
    /// Orders 0..count-1: every 10th declined, every 10th (offset 1) scarce, every 10th (offset 2) cancelled, the rest happy;
    /// the happy ones at offsets 3 and 4 are submitted by keyless clients, each with a customer id of its own so that an
    /// order a client was told 5xx about can be found.
    /// </summary>
    public static List<PlannedOrder> Plan(int count, string runId) => [.. Enumerable.Range(0, count).Select(i =>
    {
        var kind = (i % 10) switch
        {
            0 => OrderKind.Declined,
            1 => OrderKind.Scarce,
            2 => OrderKind.Cancelled,
            _ => OrderKind.Happy,
        };
        var keyless = i % 10 is 3 or 4;
        var body = Body(kind, runId);
        if (keyless)
        {
            body["customer"]!["id"] = KeylessCustomer(runId, i);
        }

        return new PlannedOrder(i, kind, string.Create(CultureInfo.InvariantCulture, $"{runId}-{i}"), body) { Keyless = keyless };
    })];

    public static string KeylessCustomer(string runId, int index) => string.Create(CultureInfo.InvariantCulture, $"cust-{runId}-keyless-{index}");

    /// <summary>Two of <see cref="PlentySku1"/> and one of <see cref="PlentySku2"/>, or one <see cref="ScarceSku"/>; tok_decline when declined.</summary>
    public static JsonObject Body(OrderKind kind, string runId)
    {
        var body = OrderRequests.Valid();
        body["customer"]!["id"] = $"cust-{runId}";
        body["items"] = kind == OrderKind.Scarce
            ? new JsonArray { new JsonObject { ["sku"] = ScarceSku, ["quantity"] = 1 } }
            : new JsonArray
            {
                new JsonObject { ["sku"] = PlentySku1, ["quantity"] = 2 },
                new JsonObject { ["sku"] = PlentySku2, ["quantity"] = 1 },
            };
        if (kind == OrderKind.Declined)
        {
            body["payment"]!["token"] = "tok_decline";
        }

        return body;
    }

    /// <summary>
    /// The app's two repair timers, each every second in the background as its schedule would run it: the outbox sweep,
    /// and the open-orders watchdog (which, with <see cref="Settings"/>' short due times, looks at orders while their
    /// sagas run, starts a saga whose PlaceOrder has not arrived, and closes the entries of terminal orders).
    /// </summary>
    public void StartTimers()
    {
        _timersStop = new CancellationTokenSource();
        var stop = _timersStop.Token;
        _timers = Task.WhenAll(
            EverySecondAsync(async () =>
            {
                await Pipeline.SweepOutboxAsync(stop);
                Interlocked.Increment(ref _sweeps);
            }, () => Interlocked.Increment(ref _sweepFailures), stop),
            EverySecondAsync(async () => Watched(await Pipeline.WatchOpenOrdersAsync(stop)), () => Interlocked.Increment(ref _watchFailures), stop));
    }

    public async Task StopTimersAsync()
    {
        if (_timersStop is { } stop)
        {
            await stop.CancelAsync();
            await _timers;
            stop.Dispose();
            _timersStop = null;
        }
    }

    /// <summary>
    /// After the drain, with the timers stopped: runs the watchdog until no open-orders entry is left (every entry falls
    /// due within <see cref="Settings"/>' due and recheck times, and a terminal order's entry goes at its next look), and
    /// answers the entries still there at the deadline, by order id. Empty when every order's watch ended.
    /// </summary>
    public async Task<List<string>> CloseOpenOrdersAsync(TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            Watched(await Pipeline.WatchOpenOrdersAsync(CancellationToken.None));
            var open = await OpenEntriesAsync();
            if (open.Count == 0 || DateTimeOffset.UtcNow > deadline)
            {
                return open;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Order ids the open-orders index still watches, in its shards and due buckets (the NeedsAttention partition sorts
    /// before them); not the closed entries that only remember a key for its idempotency window.
    /// </summary>
    public async Task<List<string>> OpenEntriesAsync() =>
        await Table(StorageTables.OpenOrders)
            .QueryAsync<OpenOrderRow>(TableClient.CreateQueryFilter($"PartitionKey ge {OpenOrderIndex.DuePrefix}"), select: ["RowKey", "Closed"])
            .Where(e => !e.Closed)
            .Select(e => e.RowKey)
            .ToListAsync();

    /// <summary>Orders the NeedsAttention list holds: none in a run whose every order ends as its kind says.</summary>
    public Task<List<string>> NeedsAttentionAsync() =>
        OpenOrdersRowKeysAsync(TableClient.CreateQueryFilter($"PartitionKey eq {OpenOrderIndex.NeedsAttentionPartition}"));

    private async Task<List<string>> OpenOrdersRowKeysAsync(string filter) =>
        await Table(StorageTables.OpenOrders)
            .QueryAsync<TableEntity>(filter, select: ["RowKey"])
            .Select(e => e.RowKey)
            .ToListAsync();

    /// <summary>Runs the timer's work, then waits a second, until stopped; a fault ends one run, and the next tries again, as the next tick would.</summary>
    private static Task EverySecondAsync(Func<Task> work, Action failed, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await work();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception)
            {
                failed();
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }, CancellationToken.None);

    private void Watched(WatchdogRun run)
    {
        lock (_watchLock)
        {
            Watchdog = new WatchdogRun(
                Watchdog.Due + run.Due,
                Watchdog.Closed + run.Closed,
                Watchdog.Started + run.Started,
                Watchdog.Rechecked + run.Rechecked,
                Watchdog.Flagged + run.Flagged,
                Watchdog.Failed + run.Failed);
        }
    }

    /// <summary>POSTs until 202 with the same Idempotency-Key, as a client does after a 5xx; then cancels a Cancelled-kind order the same way.</summary>
    public async Task SubmitAsync(PlannedOrder order)
    {
        if (order.Keyless)
        {
            // No key: a 5xx means "nothing was accepted", and a retry could place a second order, so the client gives up.
            var answer = await Pipeline.SubmitAsync(order.Body);
            if (answer.Status >= 500)
            {
                order.RefusedWith = answer.Status;
                order.RefusalSaidNothingAccepted = answer.Body.Contains("nothing was accepted", StringComparison.Ordinal);
                Interlocked.Increment(ref _keylessRefused);
                return;
            }

            if (answer.Status != 202)
            {
                throw new InvalidOperationException($"Keyless order {order.Index}: {answer.Status}: {answer.Body}");
            }

            order.OrderId = answer.Json().GetProperty("orderId").GetString()!;
            return;
        }

        var accepted = await UntilAcceptedAsync(() => Pipeline.SubmitAsync(order.Body, order.IdempotencyKey), $"order {order.Index}");
        order.OrderId = accepted.Json().GetProperty("orderId").GetString()!;
        if (order.Kind == OrderKind.Cancelled)
        {
            await UntilAcceptedAsync(() => Pipeline.CancelAsync(order.OrderId), $"cancel of {order.OrderId}");
        }
    }

    private async Task<TestResponse> UntilAcceptedAsync(Func<Task<TestResponse>> call, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await call();
            if (response.Status == 202)
            {
                return response;
            }

            if (response.Status < 500 || attempt >= 40)
            {
                var errors = Pipeline.Shop.Logs.Records.Where(r => r.Exception is not null && r.Category.Contains("Order", StringComparison.Ordinal)).TakeLast(3)
                    .Select(r => $"{r.Message}: {r.Exception}");
                throw new InvalidOperationException($"{what}: {response.Status} after {attempt} attempts: {response.Body}\n{string.Join("\n", errors)}");
            }

            // Exponential back-off, 0.1 s doubling to 2 s: about a minute in all, as a patient client would.
            Interlocked.Increment(ref _clientRetries);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, attempt - 1), 2000)));
        }
    }

    /// <summary>Polls the order rows until every order is terminal.</summary>
    public async Task<Dictionary<string, OrderOutcome>> WaitForTerminalAsync(IEnumerable<string> orderIds, TimeSpan timeout)
    {
        var ids = orderIds.ToHashSet(StringComparer.Ordinal);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var rows = await OrderRowsAsync();
            var pending = ids.Where(id => !rows.TryGetValue(id, out var row) || !Shop.Functions.Orders.OrderStatuses.IsTerminal(row.Status)).ToList();
            if (pending.Count == 0 || DateTimeOffset.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Waits until every effect has happened: the broker idle (with <paramref name="releaseScheduled"/>, scheduled messages
    /// brought forward rather than waited for, as <see cref="InProcessBroker.WhenIdleAsync"/>) and no outbox row left in any
    /// outbox table, with the sweeper running (an event whose send was refused is in the outbox, not the broker, until the
    /// sweeper's next run). Fails with the rows left when the run does not drain in time.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout, bool releaseScheduled = false)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var left = await OutboxRowsAsync();
            if (left.Count == 0)
            {
                await Pipeline.Broker.WhenIdleAsync(deadline - DateTimeOffset.UtcNow, releaseScheduled);
                left = await OutboxRowsAsync();
                if (left.Count == 0)
                {
                    return;
                }
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"The outbox still holds {left.Count} rows after {timeout}: {string.Join(", ", left.Take(10))}.");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Outbox rows (table/partition/row) in every table that holds them, and messages the outbox index carries
    /// (OutboxIndex/bucket/row), read without faults.
    /// </summary>
    public async Task<List<string>> OutboxRowsAsync()
    {
        var rows = (await PendingMessages.CarriedAsync(Tables)).Select(pointer => $"{StorageTables.OutboxIndex}/{pointer.PartitionKey}/{pointer.RowKey}").ToList();
        foreach (var table in OutboxSweeper.OutboxTables)
        {
            var filter = TableClient.CreateQueryFilter($"RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {OutboxRow.RowKeyEnd}");
            await foreach (var row in Table(table).QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"]))
            {
                rows.Add($"{table}/{row.PartitionKey}/{row.RowKey}");
            }
        }

        return rows;
    }

    public async Task<Dictionary<string, OrderOutcome>> OrderRowsAsync() =>
        (await Table(StorageTables.Orders).QueryAsync<TableEntity>(e => e.RowKey == "order").ToListAsync())
            .ToDictionary(e => e.PartitionKey, e => new OrderOutcome(e.GetString("Status")!, e.GetString("FailureReason")), StringComparer.Ordinal);

    /// <summary>The test's own view of storage: clients without faults, so reads during the run never fail.</summary>
    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient Table(string name) => Tables.GetTableClient(name);

    /// <summary>Sets a SKU's stock, as the seed the conservation check counts stock taken from.</summary>
    public Task SetStockAsync(string sku, int available) => Pipeline.SetStockAsync(sku, available);

    /// <summary>
    /// Order rows of customers whose keyless client was told 5xx "nothing was accepted": each is a 503 that lied (issue 13
    /// case 6). A 503 that says the outcome is unknown is honest, whatever the row says.
    /// </summary>
    public async Task<List<(PlannedOrder Order, string OrderId)>> LiesAsync(IEnumerable<PlannedOrder> refused, string runId)
    {
        var byCustomer = refused.Where(o => o.RefusalSaidNothingAccepted).ToDictionary(o => KeylessCustomer(runId, o.Index), StringComparer.Ordinal);
        var rows = await Table(StorageTables.Orders).QueryAsync<TableEntity>(e => e.RowKey == "order", select: ["PartitionKey", "CustomerId"]).ToListAsync();
        return [.. rows.Where(r => byCustomer.ContainsKey(r.GetString("CustomerId") ?? string.Empty)).Select(r => (byCustomer[r.GetString("CustomerId")!], r.PartitionKey))];
    }

    public Task<int> StockAsync(string sku) => Tables.StockAsync(sku);

    private ReceiverReply Answer(ReceivedWebhook request)
    {
        if (Chaos.ReceiverFails())
        {
            return ReceiverReply.Status(500, "chaos");
        }

        if (_keepLog)
        {
            _answered2xx.AddOrUpdate(request.Header("webhook-id"), 1, (_, n) => n + 1);
        }

        return ReceiverReply.Status(200);
    }

    public async ValueTask DisposeAsync()
    {
        await StopTimersAsync();
        await Pipeline.DisposeAsync();
        await Receiver.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public sealed record OrderOutcome(string Status, string? FailureReason);
