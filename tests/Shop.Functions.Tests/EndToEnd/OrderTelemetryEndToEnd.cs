using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// Tests that read process-wide telemetry (the app's static <see cref="ShopMetrics"/> meter): they run alone, after
/// every parallel test, so the numbers they read are their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
[SuppressMessage("Naming", "CA1711", Justification = "xunit's name for this is a collection definition.")]
public sealed class TelemetryCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Telemetry";
}

/// <summary>
/// The metrics the app exports (<see cref="Telemetry.AddShopMetrics"/>, read by OpenTelemetry's in-memory exporter)
/// after whole orders through <see cref="ShopPipeline"/>: one completed, one declined, one cancelled, a sweeper resend
/// of a message nobody accepts (dead-lettered) and the outbox backlog it was in.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OrderTelemetryEndToEnd(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly List<Metric> _exported = [];
    private MeterProvider _meters = null!;
    private WebhookReceiver _hooks = null!;
    private WebhookReceiver _callbacks = null!;

    public async Task InitializeAsync()
    {
        _meters = Sdk.CreateMeterProviderBuilder().AddShopMetrics().AddInMemoryExporter(_exported).Build();
        _hooks = await WebhookReceiver.StartAsync();
        _callbacks = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _meters.Dispose();
        await _hooks.DisposeAsync();
        await _callbacks.DisposeAsync();
    }

    [Fact]
    public async Task ExportsEveryInstrumentWithTheValuesOfWhatHappened()
    {
        await using (var shop = await StartAsync())
        {
            var completed = await SubmitAsync(shop, Order());
            var declined = await SubmitAsync(shop, Order(b => b["payment"]!["token"] = "tok_decline"));
            Assert.Equal(303, (await shop.PollUntilFinishedAsync(completed, Patience)).Status);
            Assert.Equal(303, (await shop.PollUntilFinishedAsync(declined, Patience)).Status);

            // An outbox row five minutes old that the sweeper resends: a command nobody accepts, dead-lettered.
            var stale = OutboxRow.For(
                OrderIds.NewRandom(),
                new OutgoingMessage(Queues.PlaceOrder, $"junk-{Guid.NewGuid():N}", "NoSuchCommand", "junk", BinaryData.FromString("{}")),
                DateTimeOffset.UtcNow - TimeSpan.FromMinutes(5));
            await shop.Shop.OrdersTable.AddEntityAsync(stale);
            await shop.Shop.Get<OutboxIndex>().PointAsync(OutboxPointer.For(StorageTables.Orders, [stale]), CancellationToken.None);
            await shop.SweepOutboxAsync();
            await shop.Broker.WhenIdleAsync(Patience);
            Assert.Single(shop.Broker.DeadLetters);
        }

        await using (var shop = await StartAsync(new() { ["Shipping:DispatchDelay"] = "00:05:00" }))
        {
            var cancelled = await SubmitAsync(shop, Order());
            await WaitForStatusAsync(shop, cancelled, OrderStatuses.AwaitingShipment);
            Assert.Equal(202, (await shop.CancelAsync(cancelled)).Status);
            Assert.Equal(303, (await shop.PollUntilFinishedAsync(cancelled, Patience)).Status);
            // The carrier's dispatch, due in 5 minutes, runs now: it finds the shipment cancelled and publishes nothing.
            await shop.Broker.WhenIdleAsync(Patience, releaseScheduled: true);
        }

        _meters.ForceFlush();
        var posted = _hooks.RequestCount + _callbacks.RequestCount;
        Assert.Equal(3, Sum(ShopMetrics.OrdersAcceptedName));
        Assert.Equal(1, Sum(ShopMetrics.OrdersCompletedName));
        Assert.Equal(1, Sum(ShopMetrics.OrdersFailedName, ("reason", FailureReasons.PaymentDeclined)));
        Assert.Equal(1, Sum(ShopMetrics.OrdersFailedName));
        Assert.Equal(1, Sum(ShopMetrics.OrdersCancelledName));
        Assert.Equal(1, Sum(ShopMetrics.MessagesDeadLetteredName, ("entity", Queues.PlaceOrder), ("reason", DeadLetterReasons.UnknownMessageType)));
        Assert.Equal(posted, Sum(ShopMetrics.WebhookDeliveriesName, ("outcome", "Delivered")));
        Assert.Equal(posted, Sum(ShopMetrics.WebhookDeliveriesName));
        Assert.Equal(posted, HistogramCount(ShopMetrics.WebhookDeliveryDurationName, ("outcome", "Delivered")));
        Assert.InRange(Points(ShopMetrics.OutboxBacklogAgeName).Max(p => p.GetGaugeLastValueDouble()), 299, 360);

        // Polly's pipeline telemetry (every webhook post runs through a "webhooks" pipeline) and the HttpClient's own.
        Assert.Equal(posted, HistogramCount("resilience.polly.pipeline.duration", ("pipeline.name", "webhooks")));
        Assert.True(HistogramCount("http.client.request.duration", ("server.address", "127.0.0.1")) > 0);
    }

    private async Task<ShopPipeline> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var pipeline = await ShopPipeline.StartAsync(azurite.ConnectionString, new BrokerOptions(), settings);
        await WebhookTests.ClearWebhooksAsync(pipeline.Shop);
        await WebhookTests.RegisterAsync(pipeline.Shop, _hooks.Url.ToString(), "*");
        await pipeline.Shop.Tables.SetStockAsync("SKU-022", 100);
        return pipeline;
    }

    /// <summary>One SKU-022 (no other test uses it), with the callback receiver as callbackUrl.</summary>
    private JsonObject Order(Action<JsonObject>? edit = null)
    {
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = "SKU-022", ["quantity"] = 1 } };
        body["callbackUrl"] = _callbacks.Url.ToString();
        edit?.Invoke(body);
        return body;
    }

    private static async Task<string> SubmitAsync(ShopPipeline shop, JsonObject body)
    {
        var response = await shop.SubmitAsync(body);
        Assert.Equal(202, response.Status);
        return response.Json().GetProperty("orderId").GetString()!;
    }

    private static async Task WaitForStatusAsync(ShopPipeline shop, string orderId, string status)
    {
        var deadline = DateTimeOffset.UtcNow + Patience;
        while ((await shop.StatusAsync(orderId)).Json().GetProperty("status").GetString() != status)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Order {orderId} never reached {status}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The points of the last export of <paramref name="name"/> whose tags include <paramref name="tags"/>.</summary>
    private List<MetricPoint> Points(string name, params (string Key, string Value)[] tags)
    {
        var metric = _exported.LastOrDefault(m => m.Name == name);
        Assert.True(metric is not null, $"No metric {name} exported; exported: {string.Join(", ", _exported.Select(m => m.Name).Distinct())}");
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var have = new Dictionary<string, string?>();
            foreach (var tag in point.Tags)
            {
                have[tag.Key] = tag.Value?.ToString();
            }

            if (tags.All(t => have.TryGetValue(t.Key, out var value) && value == t.Value))
            {
                points.Add(point);
            }
        }

        return points;
    }

    private long Sum(string name, params (string Key, string Value)[] tags) => Points(name, tags).Sum(p => p.GetSumLong());

    private long HistogramCount(string name, params (string Key, string Value)[] tags) => Points(name, tags).Sum(p => p.GetHistogramCount());
}
