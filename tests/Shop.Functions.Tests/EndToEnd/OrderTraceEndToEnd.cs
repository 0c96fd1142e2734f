using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// One order, one trace, through <see cref="ShopPipeline"/>, with the app's own tracing configuration
/// (<see cref="Telemetry.AddShopTracing"/>) and OpenTelemetry's in-memory exporter (in the telemetry collection, so the
/// spans exported are this test's alone): the submit's trace id is on the span of every consumer and every saga
/// activity of the order, also when every message the order needed was sent by the outbox sweeper (outside any span,
/// from the trace context kept on its outbox row).
/// </summary>
[Collection(TelemetryCollection.Name)]
[Trait("Category", "Slow")]
public sealed class OrderTraceEndToEnd : IDisposable
{
    private const string SubmitSource = "Shop.Tests.OrderTrace";
    private static readonly ActivitySource Submit = new(SubmitSource);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    // AcceptOrder runs in the place-order consumer for new orders (FulfillmentInput.Accepted), inside its span.
    private static readonly string[] SagaActivities = ["ReserveStock", "ChargePayment", "RequestShipment", "CompleteOrder"];
    private readonly AzuriteFixture _azurite;
    private readonly List<Activity> _exported = [];
    private readonly TracerProvider _tracing;

    public OrderTraceEndToEnd(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _tracing = Sdk.CreateTracerProviderBuilder().AddSource(SubmitSource).AddShopTracing().AddInMemoryExporter(_exported).Build();
    }

    public void Dispose() => _tracing.Dispose();

    [Fact]
    public async Task EveryConsumerAndActivitySpanOfACompletedOrderCarriesTheSubmitsTraceId()
    {
        await using var shop = await ShopPipeline.StartAsync(_azurite.ConnectionString, new BrokerOptions());

        var (traceId, _) = await CompleteAnOrderAsync(shop, sweep: false);

        AssertOneTrace(traceId);
    }

    [Fact]
    public async Task EverySpanCarriesTheSubmitsTraceIdWhenTheSweeperSentEveryMessage()
    {
        // The first send of every message fails: the order advances only by the sweeper's resends of its outbox rows
        // (and the consumers' redeliveries of what they send directly).
        var sent = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var faults = new ResiliencePipelineBuilder()
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRate = 1,
                EnabledGenerator = args => ValueTask.FromResult(
                    args.Context.Properties.TryGetValue(InProcessBroker.MessageBeingSent, out var message)
                    && sent.TryAdd(message.Destination + "/" + message.MessageId, true)),
                FaultGenerator = _ => ValueTask.FromResult<Exception?>(new InvalidOperationException("First send of this message fails.")),
            })
            .Build();
        await using var shop = await ShopPipeline.StartAsync(_azurite.ConnectionString, new BrokerOptions { SendFaults = faults });

        var (traceId, orderId) = await CompleteAnOrderAsync(shop, sweep: true);

        AssertOneTrace(traceId);
        var swept = sent.Keys.Where(key => key.Contains(orderId, StringComparison.Ordinal) && key.StartsWith(Topics.OrderEvents + "/", StringComparison.Ordinal)).ToArray();
        Assert.True(swept.Length >= 5, $"Only {swept.Length} order events had their first send fail: {string.Join(", ", swept)}.");
        Assert.True(shop.Broker.Counters.SendFaults >= swept.Length + 1, $"{shop.Broker.Counters.SendFaults} send faults.");
        Assert.Contains(_exported, span => span.DisplayName.StartsWith(Queues.PlaceOrder + " ", StringComparison.Ordinal));
    }

    private async Task<(ActivityTraceId TraceId, string OrderId)> CompleteAnOrderAsync(ShopPipeline shop, bool sweep)
    {
        await shop.Shop.Tables.SetStockAsync("SKU-023", 100);
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = "SKU-023", ["quantity"] = 1 } };

        ActivityTraceId traceId;
        string orderId;
        using (var submit = Submit.StartActivity("SubmitOrder")!)
        {
            traceId = submit.TraceId;
            var response = await shop.SubmitAsync(body);
            Assert.Equal(202, response.Status);
            orderId = response.Json().GetProperty("orderId").GetString()!;
        }

        Assert.Null(Activity.Current);
        var deadline = DateTimeOffset.UtcNow + Patience;
        while ((await shop.StatusAsync(orderId)).Status == 200)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"Order {orderId} did not finish in {Patience}.");
            if (sweep)
            {
                await shop.SweepOutboxAsync();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(303, (await shop.StatusAsync(orderId)).Status);
        if (sweep)
        {
            // OrderCompleted and its followers: swept until nothing is left to send.
            while (shop.Broker.Outstanding > 0 || await HasOutboxRowsAsync(shop, orderId))
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"Order {orderId}'s outbox did not drain in {Patience}.");
                await shop.SweepOutboxAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }

        await shop.Broker.WhenIdleAsync(Patience);
        _tracing.ForceFlush();
        return (traceId, orderId);
    }

    private static async Task<bool> HasOutboxRowsAsync(ShopPipeline shop, string orderId)
    {
        var filter = Azure.Data.Tables.TableClient.CreateQueryFilter(
            $"PartitionKey eq {orderId} and RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {"outbox}"}");
        await foreach (var _ in shop.Shop.OrdersTable.QueryAsync<Azure.Data.Tables.TableEntity>(filter, select: ["RowKey"]))
        {
            return true;
        }

        return false;
    }

    private void AssertOneTrace(ActivityTraceId traceId)
    {
        var consumers = _exported.Where(span => span.Source.Name == MessageTrace.SourceName).ToArray();
        var activities = _exported.Where(span => span.Source.Name == Telemetry.DurableTaskSource && span.DisplayName.StartsWith("activity:", StringComparison.Ordinal)).ToArray();

        // PlaceOrder, the saga's commands and every subscription of its events were consumed; each step ran.
        Assert.True(consumers.Length >= 10, $"Only {consumers.Length} consumer spans were recorded.");
        Assert.All(SagaActivities, name => Assert.Contains(activities, span => span.DisplayName == "activity:" + name));
        Assert.All(consumers.Concat(activities), span => Assert.True(span.TraceId == traceId,
            $"Span {span.Source.Name} {span.DisplayName} is in trace {span.TraceId}, not the submit's {traceId}."));
    }
}
