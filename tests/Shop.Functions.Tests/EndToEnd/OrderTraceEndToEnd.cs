using System.Collections.Concurrent;
using System.Diagnostics;
using Shop.Functions.Messaging;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>
/// One order, one trace, through <see cref="ShopPipeline"/> (in the telemetry collection, so the process-wide listener
/// sees only this test's spans). What holds today: the PlaceOrder consumer span carries the submit's trace id. What
/// does not: the messages the saga's activities send (order events, ship-order, send-email) start new traces, because
/// the activities run without the submit's trace context; see the skipped test.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class OrderTraceEndToEnd : IDisposable
{
    private static readonly ActivitySource Submit = new("Shop.Tests.OrderTrace");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly AzuriteFixture _azurite;
    private readonly ConcurrentQueue<Activity> _consumerSpans = new();
    private readonly ActivityListener _listener;

    public OrderTraceEndToEnd(AzuriteFixture azurite)
    {
        _azurite = azurite;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Shop.Tests.OrderTrace" or MessageTrace.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name == MessageTrace.SourceName)
                {
                    _consumerSpans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task ThePlaceOrderConsumerSpanCarriesTheSubmitsTraceId()
    {
        var (traceId, spans) = await CompleteAnOrderAsync();

        var placeOrder = Assert.Single(spans, s => s.DisplayName.StartsWith(Queues.PlaceOrder + " ", StringComparison.Ordinal));
        Assert.Equal(traceId, placeOrder.TraceId);
    }

    [Fact(Skip = "Known gap (issue 15): messages sent from the saga's activities start a new trace per activity; the trace context does not cross the Durable orchestration into its activities.")]
    public async Task EveryConsumerSpanOfACompletedOrderCarriesTheSubmitsTraceId()
    {
        var (traceId, spans) = await CompleteAnOrderAsync();

        // At least PlaceOrder and the saga's commands and events were consumed.
        Assert.True(spans.Length >= 2, $"Only {spans.Length} consumer spans were recorded.");
        Assert.All(spans, span => Assert.True(span.TraceId == traceId,
            $"Consumer span {span.DisplayName} is in trace {span.TraceId}, not the submit's {traceId}."));
    }

    private async Task<(ActivityTraceId TraceId, Activity[] Spans)> CompleteAnOrderAsync()
    {
        await using var shop = await ShopPipeline.StartAsync(_azurite.ConnectionString, new BrokerOptions());
        await shop.Shop.Tables.SetStockAsync("SKU-023", 100);
        var body = OrderRequests.Valid();
        body["items"] = new System.Text.Json.Nodes.JsonArray { new System.Text.Json.Nodes.JsonObject { ["sku"] = "SKU-023", ["quantity"] = 1 } };

        ActivityTraceId traceId;
        string orderId;
        using (var submit = Submit.StartActivity("SubmitOrder")!)
        {
            traceId = submit.TraceId;
            var response = await shop.SubmitAsync(body);
            Assert.Equal(202, response.Status);
            orderId = response.Json().GetProperty("orderId").GetString()!;
        }

        Assert.Equal(303, (await shop.PollUntilFinishedAsync(orderId, Patience)).Status);
        await shop.Broker.WhenIdleAsync(Patience);

        return (traceId, _consumerSpans.ToArray());
    }
}
