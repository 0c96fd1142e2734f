using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// A deploy while sagas are in flight (docs/saga.md, "Versioning"). One Durable engine keeps its instances while its
/// registration is switched from the previous deployment's (version 1 as OrderFulfillment, and only the activities it
/// calls) to this one's: the version 1 instance replays under its own name and finishes; new orders run version 2.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentVersioning(AzuriteFixture azurite)
{
    private static readonly HashSet<string> PreviousDeployment =
    [
        OrderFulfillmentV1Orchestrator.Name,
        nameof(FulfillmentActivities.AcceptOrder), nameof(FulfillmentActivities.ReserveStock), nameof(FulfillmentActivities.ChargePayment),
        nameof(FulfillmentActivities.RequestShipment), nameof(FulfillmentActivities.CompleteOrder), nameof(FulfillmentActivities.RefundPayment),
        nameof(FulfillmentActivities.ReleaseStock), nameof(FulfillmentActivities.FailOrder), nameof(FulfillmentActivities.MarkOrderCancelled),
    ];

    private volatile bool _switched;

    [Fact]
    public async Task FinishesAVersion1InstanceStartedBeforeTheSwitch()
    {
        await using var saga = await SagaHarness.StartAsync(azurite);
        await using var engine = await StartSwitchableEngineAsync(saga.Shop.Function<FulfillmentActivities>());
        await saga.SetStockAsync("SKU-001", 100);
        await saga.SetStockAsync("SKU-002", 100);

        // Before the deploy: the previous starter scheduled version 1 with the input it knew (no long-retry settings).
        var before = await saga.SubmitAsync();
        await engine.Client.ScheduleNewOrchestrationInstanceAsync(
            OrderFulfillmentV1Orchestrator.Name,
            new FulfillmentInput(before, TimeSpan.FromSeconds(30), new ActivityRetry(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500))),
            new StartOrchestrationOptions(InstanceId: before));
        await saga.WaitForStatusAsync(before, OrderStatuses.AwaitingShipment);

        _switched = true;
        var after = await saga.SubmitAsync();
        await saga.Shop.Get<FulfillmentStarter>().EnsureStartedAsync(engine.Client, after, CancellationToken.None);
        await saga.WaitForStatusAsync(after, OrderStatuses.AwaitingShipment);
        await engine.Client.RaiseEventAsync(before, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData("TRACK-V1"));
        await engine.Client.RaiseEventAsync(after, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData("TRACK-V2"));

        foreach (var (orderId, name) in new[] { (before, OrderFulfillmentV1Orchestrator.Name), (after, nameof(OrderFulfillmentOrchestrator.OrderFulfillmentV2)) })
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var instance = await engine.Client.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true, timeout.Token);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, instance.RuntimeStatus);
            Assert.Equal(name, instance.Name);
            Assert.Equal(OrderStatuses.Completed, instance.ReadOutputAs<FulfillmentResult>()!.Status);
            Assert.Equal(OrderStatuses.Completed, (await saga.OrderAsync(orderId)).Status);
        }

        Assert.Equal(96, await saga.StockAsync("SKU-001"));
    }

    [Fact]
    public async Task TellsTheCarrierWhenAVersion1InstanceIsCancelledAfterTheSwitch()
    {
        await using var saga = await SagaHarness.StartAsync(azurite);
        await using var engine = await StartSwitchableEngineAsync(saga.Shop.Function<FulfillmentActivities>());
        await saga.SetStockAsync("SKU-001", 100);
        await saga.SetStockAsync("SKU-002", 100);
        var orderId = await saga.SubmitAsync();
        await engine.Client.ScheduleNewOrchestrationInstanceAsync(
            OrderFulfillmentV1Orchestrator.Name,
            new FulfillmentInput(orderId, TimeSpan.FromSeconds(30), new ActivityRetry(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500))),
            new StartOrchestrationOptions(InstanceId: orderId));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        _switched = true;
        await engine.Client.RaiseEventAsync(orderId, FulfillmentEvents.CancelOrder, new CancelOrderRequest("test"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var instance = await engine.Client.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true, timeout.Token);

        // Version 1's own sequence (refund, release, cancelled), and the final write sends the CancelShipment it never did.
        Assert.Equal(OrderStatuses.Cancelled, instance.ReadOutputAs<FulfillmentResult>()!.Status);
        var cancelShipment = Assert.Single(saga.Shop.Sender.SentFor(orderId), m => m.Destination == Shop.Functions.Messaging.Queues.CancelShipment);
        Assert.Equal($"CancelShipment:{orderId}", cancelShipment.MessageId);
    }

    /// <summary>
    /// Every name of this deployment is registered; until <see cref="_switched"/>, those the previous deployment did not have
    /// fail as an unregistered name would.
    /// </summary>
    private Task<DurableTaskTestHost> StartSwitchableEngineAsync(FulfillmentActivities activities) =>
        DurableTaskTestHost.StartAsync(
            registry => SagaHarness.Register(registry, activities, deployed: name => _switched || PreviousDeployment.Contains(name)),
            new DurableTaskTestHostOptions { Port = SagaHarness.FreePort(), LoggerFactory = NullLoggerFactory.Instance });
}
