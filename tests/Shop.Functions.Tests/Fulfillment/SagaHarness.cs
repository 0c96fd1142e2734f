using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// The saga on a real Durable Task engine (DurableTaskTestHost, which replays as Azure does) with the app's
/// own services against Azurite. Timeouts and retry intervals are shortened by configuration, not by code.
/// </summary>
public sealed class SagaHarness : IAsyncDisposable
{
    private readonly HashSet<string> _dispatched = new(StringComparer.Ordinal);

    private SagaHarness(ShopTestServices shop, DurableTaskTestHost durable, ConservationScope conservation, ActivityDuplicates? duplicates)
    {
        Shop = shop;
        Durable = durable;
        Conservation = conservation;
        Duplicates = duplicates;
    }

    public ShopTestServices Shop { get; }

    public DurableTaskTestHost Durable { get; }

    public DurableTaskClient Client => Durable.Client;

    /// <summary>The run's conservation check: its baseline, seeds and clean clients (<see cref="AssertConservedAsync"/>).</summary>
    public ConservationScope Conservation { get; }

    /// <summary>Extra runs of the activities, when the harness was started with them.</summary>
    public ActivityDuplicates? Duplicates { get; }

    /// <param name="configure">Changes to the app's services, e.g. <see cref="TransportFaults.Install"/>.</param>
    /// <param name="duplicates">Runs the chosen activities twice, and again later (<see cref="ActivityDuplicates"/>).</param>
    public static async Task<SagaHarness> StartAsync(
        AzuriteFixture azurite,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        ActivityDuplicates? duplicates = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Fulfillment:ShippingTimeout"] = "00:00:20",
            ["Fulfillment:ActivityMaxAttempts"] = "4",
            ["Fulfillment:ActivityFirstRetryInterval"] = "00:00:00.100",
            ["Fulfillment:ActivityMaxRetryInterval"] = "00:00:00.500",
            ["Fulfillment:CompensationFirstRetryInterval"] = "00:00:00.500",
            ["Fulfillment:CompensationMaxRetryInterval"] = "00:00:01",
            ["Fulfillment:CompensationGiveUpAfter"] = "00:00:03",
            ["Fulfillment:CarrierAnswerTimeout"] = "00:00:20",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, values, configure);
        var conservation = await ConservationScope.StartAsync(azurite.ConnectionString);
        var durable = await StartEngineAsync(shop.Function<FulfillmentActivities>(), duplicates);
        return new SagaHarness(shop, durable, conservation, duplicates);
    }

    /// <summary>
    /// A Durable Task engine running the app's orchestrators and activities (the same methods their [Function] wrappers
    /// call) on <paramref name="activities"/>, built from the app's container.
    /// </summary>
    public static Task<DurableTaskTestHost> StartEngineAsync(
        FulfillmentActivities activities, ActivityDuplicates? duplicates = null, Func<string, string, Task>? beforeActivity = null) =>
        DurableTaskTestHost.StartAsync(
            registry => Register(registry, activities, duplicates, beforeActivity: beforeActivity),
            // The host otherwise picks a random port without checking it is free, which collides on a busy machine.
            // Its sidecar logs every gRPC call to the console otherwise.
            new DurableTaskTestHostOptions { Port = FreePort(), LoggerFactory = NullLoggerFactory.Instance });

    /// <summary>
    /// Registers every orchestrator and activity of the app. <paramref name="duplicates"/> runs chosen activities again
    /// (<see cref="ActivityDuplicates"/>); <paramref name="beforeActivity"/> (activity, order id) runs before an activity's
    /// first run, for tests that act at a precise step. A name for which <paramref name="deployed"/> answers false fails
    /// when called, as a name the worker does not know would (the versioning test switches it).
    /// </summary>
    public static void Register(
        DurableTaskRegistry registry,
        FulfillmentActivities activities,
        ActivityDuplicates? duplicates = null,
        Func<string, bool>? deployed = null,
        Func<string, string, Task>? beforeActivity = null)
    {
        var isDeployed = deployed ?? (_ => true);
        var runs = duplicates ?? new ActivityDuplicates([]);
        void Check(string name)
        {
            if (!isDeployed(name))
            {
                throw new InvalidOperationException($"'{name}' is not registered in this deployment.");
            }
        }

        void Orchestrator(string name, Func<TaskOrchestrationContext, FulfillmentInput, Task<FulfillmentResult>> run) =>
            registry.AddOrchestratorFunc<FulfillmentInput, FulfillmentResult>(name, (context, input) =>
            {
                Check(name);
                return run(context, input);
            });
        void Activity<TInput, TOutput>(string name, Func<TInput, string> orderIdOf, Func<TInput, Task<TOutput>> run) =>
            registry.AddActivityFunc<TInput, TOutput>(name, async (_, input) =>
            {
                Check(name);
                if (beforeActivity is not null)
                {
                    await beforeActivity(name, orderIdOf(input));
                }

                return await runs.RunAsync(name, orderIdOf(input), () => run(input));
            });
        void Action<TInput>(string name, Func<TInput, string> orderIdOf, Func<TInput, Task> run) =>
            Activity<TInput, object?>(name, orderIdOf, async input =>
            {
                await run(input);
                return null;
            });

        Orchestrator(nameof(OrderFulfillmentOrchestrator.OrderFulfillmentV2), OrderFulfillmentOrchestrator.RunAsync);
        Orchestrator(OrderFulfillmentV1Orchestrator.Name, OrderFulfillmentV1Orchestrator.RunAsync);
        Activity<string, AcceptedOrder>(nameof(FulfillmentActivities.AcceptOrder), id => id, id => activities.AcceptOrder(id, default));
        Activity<StockInput, StockOutcome>(nameof(FulfillmentActivities.ReserveStock), i => i.OrderId, i => activities.ReserveStock(i, default));
        Activity<string, PaymentOutcome>(nameof(FulfillmentActivities.ChargePayment), id => id, id => activities.ChargePayment(id, default));
        Activity<string, PaymentOutcome>(nameof(FulfillmentActivities.ResolvePayment), id => id, id => activities.ResolvePayment(id, default));
        Action<string>(nameof(FulfillmentActivities.RequestShipment), id => id, id => activities.RequestShipment(id, default));
        Action<ShipmentCancellationInput>(nameof(FulfillmentActivities.RequestShipmentCancellation), i => i.OrderId, i => activities.RequestShipmentCancellation(i, default));
        Action<CompleteOrderInput>(nameof(FulfillmentActivities.CompleteOrder), i => i.OrderId, i => activities.CompleteOrder(i, default));
        Action<string>(nameof(FulfillmentActivities.RefundPayment), id => id, id => activities.RefundPayment(id, default));
        Action<StockInput>(nameof(FulfillmentActivities.ReleaseStock), i => i.OrderId, i => activities.ReleaseStock(i, default));
        Action<FailOrderInput>(nameof(FulfillmentActivities.FailOrder), i => i.OrderId, i => activities.FailOrder(i, default));
        Action<string>(nameof(FulfillmentActivities.MarkOrderCancelled), id => id, id => activities.MarkOrderCancelled(id, default));
        Action<StepOwedInput>(nameof(FulfillmentActivities.MarkStepOwed), i => i.OrderId, i => activities.MarkStepOwed(i, default));
        Action<NeedsAttentionInput>(nameof(FulfillmentActivities.MarkNeedsAttention), i => i.OrderId, i => activities.MarkNeedsAttention(i, default));
    }

    /// <summary>Submits an order through the front door (function key path) and returns its id.</summary>
    public async Task<string> SubmitAsync(Action<JsonObject>? edit = null)
    {
        var body = OrderRequests.Valid();
        edit?.Invoke(body);
        var request = HttpTest.Request("POST", "/api/orders", body.ToJsonString());
        var response = await HttpTest.RunAsync(request, await Shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
        Assert.Equal(StatusCodes.Status202Accepted, response.Status);

        // What runs behind the 202 (the order row, the PlaceOrder send) is done before the test looks.
        await Shop.Get<OutboxRelay>().DrainAsync();
        return response.Json().GetProperty("orderId").GetString()!;
    }

    /// <summary>Delivers the order's PlaceOrder command to its handler, as the place-order consumer does.</summary>
    public Task<MessageOutcome> PlaceAsync(string orderId) =>
        new PlaceOrderHandler(Client, Shop.Get<OrderStore>(), Shop.Get<FulfillmentStarter>()).HandleAsync(
            new PlaceOrder(orderId),
            new MessageContext($"PlaceOrder:{orderId}", nameof(PlaceOrder), orderId, 1, DateTimeOffset.UtcNow),
            CancellationToken.None);

    public async Task<string> SubmitAndPlaceAsync(Action<JsonObject>? edit = null)
    {
        var orderId = await SubmitAsync(edit);
        Assert.Equal(MessageOutcome.Completed, await PlaceAsync(orderId));
        return orderId;
    }

    public async Task<FulfillmentResult> WaitForEndAsync(string orderId, int seconds = 60)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var instance = await Client.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
        return instance.ReadOutputAs<FulfillmentResult>()!;
    }

    /// <summary>Waits until the order row reaches a status (the saga's progress as clients see it).</summary>
    public Task<OrderRow> WaitForStatusAsync(string orderId, string status, int seconds = 30) =>
        OrderRows.WaitForStatusAsync(Shop, orderId, status, seconds);

    /// <summary>The test plays the carrier: the parcel has left (the conservation check counts it as dispatched).</summary>
    public Task DispatchAsync(string orderId, string trackingNumber = "TRACK-1")
    {
        lock (_dispatched)
        {
            _dispatched.Add(orderId);
        }

        return Client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData(trackingNumber));
    }

    /// <summary>The carrier's answer to CancelShipment: the booking is cancelled.</summary>
    public Task CarrierCancelledAsync(string orderId) =>
        Client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentCancelled, new ShipmentCancelledData("Cancelled"));

    /// <summary>Waits until the saga's custom status (its current step) is <paramref name="status"/>.</summary>
    public async Task WaitForSagaStatusAsync(string orderId, string status, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var instance = await Client.GetInstanceAsync(orderId, getInputsAndOutputs: true);
            var current = instance?.ReadCustomStatusAs<string>();
            if (current == status || DateTimeOffset.UtcNow > deadline)
            {
                Assert.Equal(status, current);
                return;
            }

            await Task.Delay(100);
        }
    }

    public Task<OrderRow> OrderAsync(string orderId) => OrderRows.ReadAsync(Shop, orderId);

    /// <summary>The order events the app published for an order, in the order they were sent.</summary>
    public IReadOnlyList<OrderEvent> EventsFor(string orderId) =>
        Shop.Sender.SentFor(orderId)
            .Where(message => message.Destination == Topics.OrderEvents)
            .Select(message => JsonSerializer.Deserialize(message.Body.ToString(), ShopJsonContext.Default.OrderEvent)!)
            .ToList();

    public IReadOnlyList<string> EventTypesFor(string orderId) => EventsFor(orderId).Select(e => e.Type).ToList();

    /// <summary>Sets a SKU's stock; the conservation check counts stock taken from it.</summary>
    public Task SetStockAsync(string sku, int available) => Conservation.SetStockAsync(sku, available);

    public Task<int> StockAsync(string sku) => Shop.Tables.StockAsync(sku);

    /// <summary>Rows the sandbox payment gateway keeps for an order (its charges and refunds).</summary>
    public async Task<List<TableEntity>> PaymentRowsAsync(string orderId) =>
        await Shop.Tables.GetTableClient(StorageTables.PaymentsSandbox).QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync();

    /// <summary>
    /// The conservation check over whole tables (<see cref="ConservationCheck"/>), after the stale duplicate activities have
    /// run. This harness has no carrier and no notifications, so it supplies them: a shipment is Booked when the saga sent
    /// ShipOrder, Dispatched when the test called <see cref="DispatchAsync"/>, Cancelled when the saga sent CancelShipment
    /// before that; the order events the saga published count as announcements.
    /// </summary>
    public async Task<ConservationReport> ConservationAsync(ConservationOptions? options = null)
    {
        if (Duplicates is not null)
        {
            await Duplicates.DrainAsync(TimeSpan.FromSeconds(60));
        }

        return await Conservation.CheckAsync(options, adjust: snapshot =>
        {
            // Where the carrier ran (HarnessCarrier), its own Shipments row is the truth.
            var carrierRows = snapshot.Shipments.Where(row => row.Value.State is not null).Select(row => row.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var command in Shop.Sender.Sent.Where(m => m.Subject is "ShipOrder" or "CancelShipment"))
            {
                var orderId = command.CorrelationId ?? string.Empty;
                if (Conservation.Baseline.OrderIds.Contains(orderId))
                {
                    continue;
                }

                if (carrierRows.Contains(orderId))
                {
                    continue;
                }

                bool dispatched;
                lock (_dispatched)
                {
                    dispatched = _dispatched.Contains(orderId);
                }

                var state = dispatched ? ShipmentFacts.Dispatched : command.Subject == "CancelShipment" ? ShipmentFacts.Cancelled : ShipmentFacts.Booked;
                if (command.Subject == "ShipOrder" && snapshot.Shipments.TryGetValue(orderId, out var known) && known.State == ShipmentFacts.Cancelled && !dispatched)
                {
                    continue;
                }

                snapshot.Shipments[orderId] = new ShipmentFacts(orderId, state);
            }

            foreach (var sent in Shop.Sender.Sent.Where(m => m.Destination == Topics.OrderEvents))
            {
                var orderEvent = JsonSerializer.Deserialize(sent.Body.ToString(), ShopJsonContext.Default.OrderEvent)!;
                if (!Conservation.Baseline.OrderIds.Contains(orderEvent.Subject))
                {
                    snapshot.Announcements.Add(new Announcement(orderEvent.Subject, "order event", orderEvent.Type));
                }
            }
        });
    }

    /// <summary>Fails the test with the whole report when money or goods were not conserved.</summary>
    public async Task AssertConservedAsync(ConservationOptions? options = null) => (await ConservationAsync(options)).AssertHolds();

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Durable.DisposeAsync();
        await Shop.DisposeAsync();
    }
}
