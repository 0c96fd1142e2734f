using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// Issue 14: the place-order consumer records OrderAccepted from the row it read and starts the saga past AcceptOrder
/// (<see cref="FulfillmentInput.Accepted"/>), one activity and one orchestrator episode fewer. Instances started without
/// it (before the change, or by the watchdog or the cancel endpoint) still run AcceptOrder: both replay on this code.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class PlaceOrderHandlerGivenTheSteps(AzuriteFixture azurite)
{
    [Fact]
    public async Task AcceptsTheOrderAndStartsTheSagaWithoutAcceptOrder()
    {
        await using var saga = await StartAsync();
        var orderId = await saga.SubmitAsync();

        Assert.Equal(MessageOutcome.Completed, await PlaceAsync(saga, orderId));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, (await saga.WaitForEndAsync(orderId)).Status);
        // ReserveStock, ChargePayment, RequestShipment, CompleteOrder: AcceptOrder is not among them.
        Assert.Equal(4, DurableHistory.EventTypes(saga.Durable, orderId).Count(type => type == "TaskScheduled"));
        Assert.NotNull((await saga.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true))!.ReadInputAs<FulfillmentInput>()!.Accepted);
        var events = saga.EventTypesFor(orderId);
        Assert.Equal(OrderEventTypes.OrderAccepted, events[0]);
        Assert.Single(events, type => type == OrderEventTypes.OrderAccepted);
        Assert.Contains((await saga.OrderAsync(orderId)).GetSteps(), step => step.Name == OrderEventTypes.OrderAccepted);
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task AcceptsOnceAndStartsOneSagaGivenTheCommandTwice()
    {
        await using var saga = await StartAsync();
        var orderId = await saga.SubmitAsync();

        Assert.Equal(MessageOutcome.Completed, await PlaceAsync(saga, orderId));
        Assert.Equal(MessageOutcome.Completed, await PlaceAsync(saga, orderId));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, (await saga.WaitForEndAsync(orderId)).Status);
        Assert.Single(saga.EventTypesFor(orderId), type => type == OrderEventTypes.OrderAccepted);
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task RunsAcceptOrderGivenAnInstanceStartedWithoutTheAcceptedOrder()
    {
        await using var saga = await StartAsync();
        var orderId = await saga.SubmitAsync();

        // The harness's own PlaceAsync is the handler without the steps: the input the previous starter wrote.
        Assert.Equal(MessageOutcome.Completed, await saga.PlaceAsync(orderId));
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, (await saga.WaitForEndAsync(orderId)).Status);
        Assert.Equal(5, DurableHistory.EventTypes(saga.Durable, orderId).Count(type => type == "TaskScheduled"));
        Assert.Null((await saga.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true))!.ReadInputAs<FulfillmentInput>()!.Accepted);
        Assert.Single(saga.EventTypesFor(orderId), type => type == OrderEventTypes.OrderAccepted);
    }

    private async Task<SagaHarness> StartAsync()
    {
        var saga = await SagaHarness.StartAsync(azurite);
        await saga.SetStockAsync("SKU-001", 100);
        await saga.SetStockAsync("SKU-002", 100);
        return saga;
    }

    private static Task<MessageOutcome> PlaceAsync(SagaHarness saga, string orderId) =>
        new PlaceOrderHandler(saga.Client, saga.Shop.Get<OrderStore>(), saga.Shop.Get<FulfillmentStarter>(), saga.Shop.Get<FulfillmentSteps>()).HandleAsync(
            new PlaceOrder(orderId),
            new MessageContext($"PlaceOrder:{orderId}", nameof(PlaceOrder), orderId, 1, DateTimeOffset.UtcNow),
            CancellationToken.None);
}
