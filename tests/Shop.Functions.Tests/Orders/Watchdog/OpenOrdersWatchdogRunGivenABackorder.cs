using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders.Watchdog;

/// <summary>
/// A backordered order legitimately waits (up to Fulfillment:BackorderLimit, 7 days by default): the watchdog finds its
/// saga running and looks again later, however long past its due time, and never marks it stuck.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenOrdersWatchdogRunGivenABackorder(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Sku = "SKU-028"; // no other test uses it

    private WatchdogHarness _watch = null!;

    public async Task InitializeAsync() =>
        _watch = await WatchdogHarness.StartAsync(azurite, new Dictionary<string, string?> { ["Fulfillment:Backorders"] = "true" });

    public async Task DisposeAsync() => await _watch.DisposeAsync();

    [Fact]
    public async Task LooksAgainLaterGivenABackorderedOrderWaitingPastItsDueTime()
    {
        var table = _watch.Shop.Tables.GetTableClient(StorageTables.Inventory);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == Sku && e.RowKey.CompareTo(InventoryKeys.WaitingRowKeyPrefix) >= 0 && e.RowKey.CompareTo(InventoryKeys.WaitingRowKeyEnd) < 0))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        await table.UpsertEntityAsync(new TableEntity(Sku, InventoryKeys.StockRowKey) { ["Available"] = 0, ["WaitingQuantity"] = 0, ["ReorderPoint"] = 0 }, TableUpdateMode.Merge);
        var body = OrderRequests.Valid();
        body["items"] = new JsonArray { new JsonObject { ["sku"] = Sku, ["quantity"] = 1 } };
        var orderId = await _watch.SubmitAsync(body.ToJsonString());
        await _watch.PlaceAsync(orderId);
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.Backordered);

        foreach (var later in new[] { TimeSpan.FromHours(1), TimeSpan.FromDays(6) })
        {
            _watch.Clock.Advance(later);
            Assert.Equal(new WatchdogRun(1, 0, 0, 1, 0, 0), await _watch.WatchAsync());
            Assert.Equal(OrderStatuses.Backordered, (await _watch.OrderAsync(orderId)).Status);
        }

        // Ends it, so that it waits on no list after the test.
        await _watch.Client.RaiseEventAsync(orderId, FulfillmentEvents.CancelOrder, new CancelOrderRequest(null));
        await _watch.WaitForStatusAsync(orderId, OrderStatuses.Cancelled);
        Assert.Empty(await _watch.Shop.Get<InventoryStore>().GetWaitersAsync(Sku, CancellationToken.None));
    }
}
