using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>The "activities run twice" harness: every extra run happens, is recorded, and is over before the check.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ActivityDuplicatesRunAsync(AzuriteFixture azurite)
{
    [Fact]
    public async Task RunsEachActivityAgainAtOnceAndLaterGivenAHappyOrder()
    {
        var duplicates = new ActivityDuplicates { StaleAfter = TimeSpan.FromSeconds(1) };
        await using var saga = await SagaHarness.StartAsync(azurite, duplicates: duplicates);
        await saga.SetStockAsync("SKU-001", 100);
        await saga.SetStockAsync("SKU-002", 100);

        var orderId = await saga.SubmitAndPlaceAsync();
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);
        await saga.WaitForEndAsync(orderId);
        var report = await saga.ConservationAsync();

        string[] activities = [nameof(FulfillmentActivities.AcceptOrder), nameof(FulfillmentActivities.ReserveStock), nameof(FulfillmentActivities.ChargePayment),
            nameof(FulfillmentActivities.RequestShipment), nameof(FulfillmentActivities.CompleteOrder)];
        Assert.All(activities, activity =>
        {
            Assert.Single(duplicates.Runs, r => r.Activity == activity && !r.Stale);
            Assert.Single(duplicates.Runs, r => r.Activity == activity && r.Stale);
        });
        Assert.All(duplicates.Runs, r => Assert.Equal(orderId, r.OrderId));
        // Every step is idempotent per order: one charge, the order's units taken once, nothing else.
        report.AssertHolds();
        Assert.Equal(98, await saga.StockAsync("SKU-001"));
    }

    [Fact]
    public async Task DuplicatesOnlyTheChosenActivities()
    {
        var duplicates = new ActivityDuplicates([nameof(FulfillmentActivities.ChargePayment)]) { StaleAfter = null };
        await using var saga = await SagaHarness.StartAsync(azurite, duplicates: duplicates);
        await saga.SetStockAsync("SKU-001", 100);
        await saga.SetStockAsync("SKU-002", 100);

        var orderId = await saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = "tok_decline");
        await saga.WaitForEndAsync(orderId);

        var run = Assert.Single(duplicates.Runs);
        Assert.Equal((nameof(FulfillmentActivities.ChargePayment), false), (run.Activity, run.Stale));
        await saga.AssertConservedAsync();
    }
}
