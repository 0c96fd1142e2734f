using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Fulfillment;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders.Watchdog;

/// <summary>
/// The app's services on Azurite with the clock in the test's hands, the saga on a Durable test engine, and a log of
/// every request the Table client sends. The clock starts in <see cref="Epoch"/> (long before any other test's orders fall
/// due), and the harness clears what earlier runs left due in that past year (shards and buckets), so a watchdog run sees only this test's orders.
/// </summary>
public sealed class WatchdogHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Epoch = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private WatchdogHarness(ShopTestServices shop, DurableTaskTestHost durable, ManualClock clock, TableRequestLog requests)
    {
        Shop = shop;
        Durable = durable;
        Clock = clock;
        Requests = requests;
    }

    public ShopTestServices Shop { get; }

    public DurableTaskTestHost Durable { get; }

    public DurableTaskClient Client => Durable.Client;

    public ManualClock Clock { get; }

    public TableRequestLog Requests { get; }

    public OpenOrderIndex Index => Shop.Get<OpenOrderIndex>();

    /// <param name="settings">Settings on top of the harness's own (e.g. backorders on).</param>
    public static async Task<WatchdogHarness> StartAsync(AzuriteFixture azurite, IDictionary<string, string?>? settings = null)
    {
        var clock = new ManualClock(Epoch.AddMinutes(Random.Shared.Next(0, 60 * 24 * 300)));
        var requests = new TableRequestLog();
        var values = new Dictionary<string, string?>
        {
            ["Fulfillment:ShippingTimeout"] = "00:05:00",
            ["Fulfillment:ActivityMaxAttempts"] = "4",
            ["Fulfillment:ActivityFirstRetryInterval"] = "00:00:00.100",
            ["Fulfillment:ActivityMaxRetryInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var shop = await ShopTestServices.StartAsync(
            azurite.ConnectionString,
            values,
            services =>
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                requests.Install(services);
            });
        await ClearPastBucketsAsync(shop.Get<OpenOrderIndex>().Table);
        await shop.Tables.SetStockAsync("SKU-001", 1_000_000);
        await shop.Tables.SetStockAsync("SKU-002", 1_000_000);
        var durable = await SagaHarness.StartEngineAsync(shop.Function<FulfillmentActivities>());
        return new WatchdogHarness(shop, durable, clock, requests);
    }

    public async Task<string> SubmitAsync(string? body = null, string? idempotencyKey = null)
    {
        var response = await PostAsync(body ?? OrderRequests.ValidJson(), idempotencyKey);
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }

    /// <summary>POST /api/orders; the response as the client gets it, whatever its status.</summary>
    public Task<TestResponse> PostAsync(string body, string? idempotencyKey = null) => OrderReads.PostAsync(Shop, body, idempotencyKey);

    /// <summary>Delivers the order's PlaceOrder to its handler, as the place-order consumer does.</summary>
    public async Task PlaceAsync(string orderId) =>
        Assert.Equal(
            MessageOutcome.Completed,
            await new PlaceOrderHandler(Client, Shop.Get<OrderStore>(), Shop.Get<FulfillmentStarter>()).HandleAsync(
                new PlaceOrder(orderId),
                new MessageContext($"PlaceOrder:{orderId}", nameof(PlaceOrder), orderId, 1, DateTimeOffset.UtcNow),
                CancellationToken.None));

    public Task<WatchdogRun> WatchAsync() => Shop.Get<OpenOrdersWatchdog>().RunAsync(Client, CancellationToken.None);

    public Task<OrderRow> OrderAsync(string orderId) => OrderRows.ReadAsync(Shop, orderId);

    public Task<OrderRow> WaitForStatusAsync(string orderId, string status, int seconds = 30) =>
        OrderRows.WaitForStatusAsync(Shop, orderId, status, seconds);

    /// <summary>The order's entries in its shard and in the due buckets (not its NeedsAttention row).</summary>
    public async Task<List<OpenOrderRow>> EntriesAsync(string orderId) =>
        await Index.Table
            .QueryAsync<OpenOrderRow>(e => e.PartitionKey.CompareTo(OpenOrderIndex.DuePrefix) >= 0 && e.RowKey == orderId)
            .ToListAsync();

    public async ValueTask DisposeAsync()
    {
        await Durable.DisposeAsync();
        await Shop.DisposeAsync();
    }

    private static async Task ClearPastBucketsAsync(TableClient table)
    {
        var buckets = await table.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(OpenOrderIndex.DuePrefix) >= 0 && e.PartitionKey.CompareTo("due-2002") < 0).ToListAsync();
        var shards = await table.QueryAsync<OpenOrderRow>(
            TableClient.CreateQueryFilter($"PartitionKey ge {OpenOrderIndex.OpenPrefix} and PartitionKey lt {"open."} and DueAt lt {Epoch.AddYears(1)}")).ToListAsync();
        var stale = buckets.Select(row => (row.PartitionKey, row.RowKey)).Concat(shards.Select(row => (row.PartitionKey, row.RowKey)));
        foreach (var row in stale)
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All);
        }
    }
}

/// <summary>Records the method, table path and query of every request the app's Table client sends (per attempt).</summary>
public sealed class TableRequestLog : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<(string Method, string Path, string Query)> _requests = new();

    public IReadOnlyCollection<(string Method, string Path, string Query)> Requests => _requests;

    public void Clear() => _requests.Clear();

    /// <summary>Runs before each request is sent (after it is recorded): a test's way to change storage at that moment.</summary>
    public Func<(string Method, string Path, string Query), Task>? Before { get; set; }

    public void Install(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<AzureComponentFactory>(),
            options => options.AddPolicy(this, HttpPipelinePosition.PerRetry))));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var request = Record(message);
        Before?.Invoke(request).GetAwaiter().GetResult();
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var request = Record(message);
        if (Before is { } before)
        {
            await before(request);
        }

        await ProcessNextAsync(message, pipeline);
    }

    private (string Method, string Path, string Query) Record(HttpMessage message)
    {
        var uri = message.Request.Uri.ToUri();
        var request = (message.Request.Method.Method, Uri.UnescapeDataString(uri.AbsolutePath), Uri.UnescapeDataString(uri.Query));
        _requests.Enqueue(request);
        return request;
    }
}
