using Microsoft.DurableTask.Client;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// Issue 13, case 8 (second half): a PlaceOrder that comes again after the order's saga finished and was purged (a late
/// duplicate, a replayed dead letter) completes and starts nothing: a new saga would charge nothing yet could refund later.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PlaceOrderHandlerHandleGivenATerminalOrder(AzuriteFixture azurite) : IAsyncLifetime
{
    private SagaHarness _saga = null!;

    public async Task InitializeAsync() => _saga = await SagaHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task CompletesWithoutStartingASagaGivenAnOrderWhoseSagaFinishedAndWasPurged()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);
        Assert.Equal(OrderStatuses.Completed, (await _saga.WaitForEndAsync(orderId)).Status);
        var completed = await _saga.OrderAsync(orderId);
        Assert.Equal(1, (await _saga.Client.PurgeInstanceAsync(orderId)).PurgedInstanceCount);

        var outcome = await _saga.PlaceAsync(orderId);

        Assert.Equal(MessageOutcome.Completed, outcome);
        Assert.Null(await _saga.Client.GetInstanceAsync(orderId));
        var after = await _saga.OrderAsync(orderId);
        Assert.Equal(completed.ETag, after.ETag);
    }

    [Fact]
    public async Task CompletesWithoutStartingASagaGivenAnOrderMarkedTerminalWithoutOne()
    {
        var orderId = await _saga.SubmitAsync();
        var order = await _saga.OrderAsync(orderId);
        order.Status = OrderStatuses.Cancelled;
        await _saga.Shop.OrdersTable.UpdateEntityAsync(order, order.ETag);

        Assert.Equal(MessageOutcome.Completed, await _saga.PlaceAsync(orderId));

        Assert.Null(await _saga.Client.GetInstanceAsync(orderId));
    }
}
