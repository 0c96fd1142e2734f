using Shop.Functions.Orders;
using Shop.Functions.Tests.EndToEnd.Harness;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// How much orchestration history one completed order costs (storage and replay time in Azure grow with it).
/// The count is printed for docs/performance.md; the assertion only catches a saga that starts looping.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentHistory(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task RecordsABoundedHistoryPerCompletedOrder()
    {
        await using var saga = await SagaHarness.StartAsync(azurite);
        await saga.SetStockAsync("SKU-001", 1_000);
        await saga.SetStockAsync("SKU-002", 1_000);

        var orderId = await saga.SubmitAndPlaceAsync();
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);
        await saga.WaitForEndAsync(orderId);

        var events = DurableHistory.EventTypes(saga.Durable, orderId);

        output.WriteLine($"History events per completed order: {events.Count}");
        foreach (var group in events.GroupBy(e => e).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }

        Assert.InRange(events.Count, 10, 60);
    }
}
