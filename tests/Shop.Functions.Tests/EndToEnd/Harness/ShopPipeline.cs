using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Tests.Fulfillment;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Reliability;
using Shop.Functions.Tests.Webhooks;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// The whole app in one process, for end-to-end tests and the pipeline benchmark: the app's own service registration
/// (<c>AddShop()</c>) against a real Azurite, the saga on a real Durable Task engine, and the
/// <see cref="InProcessBroker"/> in place of Service Bus delivering to the real trigger functions. HTTP functions are
/// called as the host calls them. Delays are configured short (seconds, not days); nothing else is changed.
/// </summary>
public sealed class ShopPipeline : IAsyncDisposable
{
    /// <summary>Settings that make a run take seconds: carrier, timeouts and retry schedules. Tests may override any.</summary>
    public static IReadOnlyDictionary<string, string?> FastSettings { get; } = new Dictionary<string, string?>
    {
        ["Shipping:DispatchDelay"] = "00:00:00.200",
        ["Fulfillment:ShippingTimeout"] = "00:00:30",
        ["Fulfillment:ActivityMaxAttempts"] = "6",
        ["Fulfillment:ActivityFirstRetryInterval"] = "00:00:00.100",
        ["Fulfillment:ActivityMaxRetryInterval"] = "00:00:01",
        ["Consumers:RetryDelays:0"] = "00:00:01",
        ["Consumers:RetryDelays:1"] = "00:00:01",
        ["Consumers:RetryDelays:2"] = "00:00:02",
        ["Consumers:RetryDelays:3"] = "00:00:03",
        ["Webhooks:RedeliveryDelays:0"] = "00:00:01",
        ["Webhooks:RedeliveryDelays:1"] = "00:00:02",
        ["Webhooks:RequireHttps"] = "false",
        ["Webhooks:AllowLoopback"] = "true",
        ["Outbox:SweepAge"] = "00:00:02",
        ["Supplier:LeadTime"] = "00:00:01",
    };

    private readonly Dictionary<string, string> _noRouteValues = [];

    private ShopPipeline(ShopTestServices shop, IReadOnlyList<DurableTaskTestHost> engines, InProcessBroker broker, ConservationScope conservation, ActivityDuplicates? duplicates)
    {
        Shop = shop;
        Engines = engines;
        Broker = broker;
        Conservation = conservation;
        Duplicates = duplicates;
        EngineRouter = StableShard;
        Router = new RoutingDurableTaskClient(instanceId => EngineFor(instanceId).Client);
    }

    /// <summary>The run's conservation check: its baseline, seeds and clean clients (<see cref="AssertConservedAsync"/>).</summary>
    public ConservationScope Conservation { get; }

    /// <summary>Extra runs of the activities, when the pipeline was started with them.</summary>
    public ActivityDuplicates? Duplicates { get; }

    public ShopTestServices Shop { get; }

    /// <summary>
    /// The Durable engines. Tests use one. The benchmark uses several because the in-process test host runs two or more
    /// orchestrations at once about 30 times slower than one at a time (docs/performance.md); each order's saga lives on
    /// the engine <see cref="EngineRouter"/> picks from its id, as a task hub partition would hold it.
    /// </summary>
    public IReadOnlyList<DurableTaskTestHost> Engines { get; }

    public DurableTaskTestHost Durable => Engines[0];

    public DurableTaskClient Client => Durable.Client;

    /// <summary>Which engine holds an order's saga (an index into <see cref="Engines"/>); by default a stable hash of the id.</summary>
    public Func<string, int> EngineRouter { get; set; }

    public DurableTaskTestHost EngineFor(string orderId) => Engines[EngineRouter(orderId)];

    /// <summary>The client the consumers get: each call goes to the engine of the instance it names.</summary>
    public DurableTaskClient Router { get; }

    public InProcessBroker Broker { get; }

    public static async Task<ShopPipeline> StartAsync(
        string storageConnectionString,
        BrokerOptions? broker = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        int engines = 1,
        ActivityDuplicates? duplicates = null)
    {
        var values = new Dictionary<string, string?>(FastSettings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var bus = new InProcessBroker(BrokerTopology.Load(), broker);
        var shop = await ShopTestServices.StartAsync(storageConnectionString, values, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<IMessageSender>(bus));
            configure?.Invoke(services);
        });
        var activities = shop.Function<FulfillmentActivities>();
        var hosts = new List<DurableTaskTestHost>();
        for (var i = 0; i < engines; i++)
        {
            hosts.Add(await SagaHarness.StartEngineAsync(activities, duplicates));
        }

        var conservation = await ConservationScope.StartAsync(storageConnectionString);
        var pipeline = new ShopPipeline(shop, hosts, bus, conservation, duplicates);
        pipeline.StartConsumers();
        return pipeline;
    }

    /// <summary>Delivers to the function that functions.metadata names for the entity, as the host would.</summary>
    public void StartConsumers() =>
        Broker.StartConsumers((entity, message, actions, cancellationToken) =>
            FunctionMethods.InvokeAsync(Shop, entity.FunctionName, _noRouteValues, message, actions, Router, cancellationToken));

    /// <summary>Calls an HTTP function by its [Function] name with route values, as the host does.</summary>
    public async Task<TestResponse> HttpAsync(
        string functionName,
        string method,
        string path,
        IReadOnlyDictionary<string, string>? routeValues = null,
        string? body = null,
        IDictionary<string, string>? headers = null)
    {
        var request = HttpTest.Request(method, path, body, body is null ? null : "application/json", headers);
        var client = routeValues?.TryGetValue("orderId", out var orderId) == true ? EngineFor(orderId).Client : Client;
        var result = (IActionResult)(await FunctionMethods.InvokeAsync(Shop, functionName, routeValues ?? _noRouteValues, request, client))!;
        return await HttpTest.RunAsync(request, result);
    }

    public Task<TestResponse> SubmitAsync(JsonObject body, string? idempotencyKey = null) =>
        HttpAsync("SubmitOrder", "POST", "/api/orders", body: body.ToJsonString(),
            headers: idempotencyKey is null ? null : new Dictionary<string, string> { ["Idempotency-Key"] = idempotencyKey });

    public Task<TestResponse> StatusAsync(string orderId) =>
        HttpAsync("GetOrderStatus", "GET", $"/api/orders/{orderId}/status", Route(orderId));

    public Task<TestResponse> OrderAsync(string orderId) =>
        HttpAsync("GetOrder", "GET", $"/api/orders/{orderId}", Route(orderId));

    public Task<TestResponse> CancelAsync(string orderId) =>
        HttpAsync("CancelOrder", "POST", $"/api/orders/{orderId}/cancel", Route(orderId));

    /// <summary>Polls the status monitor, as a client does, until it redirects (303) to the finished order.</summary>
    public async Task<TestResponse> PollUntilFinishedAsync(string orderId, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var status = await StatusAsync(orderId);
            if (status.Status != 200 || DateTimeOffset.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The SweepOutbox timer function, run once.</summary>
    public Task SweepOutboxAsync(CancellationToken cancellationToken = default) =>
        FunctionMethods.InvokeAsync(Shop, "SweepOutbox", _noRouteValues, new TimerInfo(), cancellationToken);

    /// <summary>The WatchOpenOrders timer function's work, run once, with the consumers' routing client.</summary>
    public Task<WatchdogRun> WatchOpenOrdersAsync(CancellationToken cancellationToken = default) =>
        Shop.Get<OpenOrdersWatchdog>().RunAsync(Router, cancellationToken);

    /// <summary>Sets a SKU's stock; the conservation check counts stock taken from it.</summary>
    public Task SetStockAsync(string sku, int available) => Conservation.SetStockAsync(sku, available);

    /// <summary>
    /// Waits for the drain (the stale duplicate activities, then the broker idle), then runs the conservation check over
    /// whole tables, the e-mail container and what the given webhook receivers got.
    /// </summary>
    public async Task<ConservationReport> ConservationAsync(ConservationOptions? options = null, params WebhookReceiver[] receivers)
    {
        if (Duplicates is not null)
        {
            await Duplicates.DrainAsync(TimeSpan.FromSeconds(60));
        }

        await Broker.WhenIdleAsync(TimeSpan.FromSeconds(60));
        return await Conservation.CheckAsync(options, receivers.SelectMany(r => r.Requests));
    }

    /// <summary>Fails the test with the whole report when money or goods were not conserved.</summary>
    public async Task AssertConservedAsync(ConservationOptions? options = null, params WebhookReceiver[] receivers) =>
        (await ConservationAsync(options, receivers)).AssertHolds();

    private static Dictionary<string, string> Route(string orderId) => new() { ["orderId"] = orderId };

    private int StableShard(string orderId) =>
        Engines.Count == 1 ? 0 : (StringComparer.Ordinal.GetHashCode(orderId) & int.MaxValue) % Engines.Count;

    public async ValueTask DisposeAsync()
    {
        await Broker.DisposeAsync();
        foreach (var engine in Engines)
        {
            await engine.DisposeAsync();
        }

        await Shop.DisposeAsync();
    }
}
