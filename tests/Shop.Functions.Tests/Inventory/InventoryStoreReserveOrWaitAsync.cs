using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

/// <summary>
/// Backorders in the stock (docs/inventory.md, "Backorders"): an order short of a SKU joins its waiting list, keeping its
/// other lines; waiters are served oldest first and nobody else takes what they wait for; leaving the list frees the
/// claim; concurrent orders, wake-ups and duplicate replenishments never make stock negative nor count twice.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class InventoryStoreReserveOrWaitAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;
    private InventoryStore _store = null!;

    public async Task InitializeAsync()
    {
        _shop = await InventoryTestServices.StartAsync(azurite.ConnectionString);
        _store = _shop.Get<InventoryStore>();
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task WaitsForTheShortLineKeepingTheOthersGivenTooLittleStock()
    {
        var scarce = await _store.StockedSkuAsync(1);
        var plenty = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();

        var result = await _store.ReserveOrWaitAsync(orderId, [new OrderLine(scarce, 3), new OrderLine(plenty, 2)], CancellationToken.None);

        Assert.Equal([scarce], result.WaitingSkus);
        Assert.False(result.Reserved);
        Assert.Equal((1, 8), (await _store.AvailableAsync(scarce), await _store.AvailableAsync(plenty)));
        Assert.Equal(3, (await _store.GetStockAsync(scarce, CancellationToken.None))!.WaitingQuantity);
        var statuses = (await _store.GetReservationsAsync(orderId, [new OrderLine(scarce, 3), new OrderLine(plenty, 2)], CancellationToken.None)).Select(r => r.Status);
        Assert.Equal([ReservationStatuses.Waiting, ReservationStatuses.Reserved], statuses);

        // Again (a wake-up with nothing new, or a duplicate activity): still one place on the list, nothing taken twice.
        Assert.Equal([scarce], (await _store.ReserveOrWaitAsync(orderId, [new OrderLine(scarce, 3), new OrderLine(plenty, 2)], CancellationToken.None)).WaitingSkus);
        Assert.Single(await _store.GetWaitersAsync(scarce, CancellationToken.None));
        Assert.Equal(8, await _store.AvailableAsync(plenty));

        await _store.ReleaseAsync(orderId, [new OrderLine(scarce, 3), new OrderLine(plenty, 2)], CancellationToken.None);
        Assert.Equal((1, 10, 0), (await _store.AvailableAsync(scarce), await _store.AvailableAsync(plenty), (await _store.GetStockAsync(scarce, CancellationToken.None))!.WaitingQuantity));
        Assert.Empty(await _store.GetWaitersAsync(scarce, CancellationToken.None));

        // Released is final: a late duplicate neither takes stock nor joins the list again.
        Assert.Equal(scarce, (await _store.ReserveOrWaitAsync(orderId, [new OrderLine(scarce, 3)], CancellationToken.None)).OutOfStockSku);
        Assert.Empty(await _store.GetWaitersAsync(scarce, CancellationToken.None));
    }

    [Fact]
    public async Task ServesWaitersOldestFirstAndKeepsTheirUnitsFromLaterOrders()
    {
        var sku = await _store.StockedSkuAsync(0);
        var (first, second) = (OrderIds.NewRandom(), OrderIds.NewRandom());
        Assert.Equal([sku], (await WaitAsync(first, sku, 2)).WaitingSkus);
        Assert.Equal([sku], (await WaitAsync(second, sku, 1)).WaitingSkus);

        Assert.True(await _store.ReplenishAsync(sku, $"{sku}-r1", "none", 1, CancellationToken.None));
        // The unit is the first waiter's (it needs 2): neither the second waiter nor an order that is not waiting takes it.
        Assert.Equal([sku], (await WaitAsync(second, sku, 1)).WaitingSkus);
        Assert.Equal(sku, (await _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, 1)], CancellationToken.None)).OutOfStockSku);
        Assert.Equal(1, await _store.AvailableAsync(sku));

        Assert.True(await _store.ReplenishAsync(sku, $"{sku}-r2", "none", 2, CancellationToken.None));
        Assert.True((await WaitAsync(second, sku, 1)).Reserved);
        Assert.True((await WaitAsync(first, sku, 2)).Reserved);
        Assert.Equal((0, 0), (await _store.AvailableAsync(sku), (await _store.GetStockAsync(sku, CancellationToken.None))!.WaitingQuantity));
        Assert.Empty(await _store.GetWaitersAsync(sku, CancellationToken.None));
    }

    [Fact]
    public async Task FreesTheClaimGivenAWaiterThatLeaves()
    {
        var sku = await _store.StockedSkuAsync(1);
        var (first, second) = (OrderIds.NewRandom(), OrderIds.NewRandom());
        await WaitAsync(first, sku, 5);
        await WaitAsync(second, sku, 1);
        Assert.Equal([sku], (await WaitAsync(second, sku, 1)).WaitingSkus);

        await _store.ReleaseAsync(first, [new OrderLine(sku, 5)], CancellationToken.None);

        Assert.True((await WaitAsync(second, sku, 1)).Reserved);
        Assert.Equal(0, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task NeverOversellsNorCountsTwiceGivenConcurrentOrdersWakeUpsAndDuplicateReplenishments()
    {
        var sku = await _store.StockedSkuAsync(5);
        var orders = Enumerable.Range(0, 20).Select(_ => OrderIds.NewRandom()).ToList();

        var first = await Task.WhenAll(orders.Select(orderId => WaitAsync(orderId, sku, 1)));
        Assert.Equal(5, first.Count(r => r.Reserved));
        Assert.Equal(15, (await _store.GetWaitersAsync(sku, CancellationToken.None)).Count);
        Assert.Equal((0, 15), (await _store.AvailableAsync(sku), (await _store.GetStockAsync(sku, CancellationToken.None))!.WaitingQuantity));

        // Three replenishments of 5, each delivered twice, racing with every order trying again (as woken sagas do).
        var replenishments = Enumerable.Range(0, 6).Select(i => _store.ReplenishAsync(sku, $"{sku}-race-{i % 3}", "none", 5, CancellationToken.None)).ToList();
        var wakeUps = orders.Select(orderId => WaitAsync(orderId, sku, 1)).ToList();
        await Task.WhenAll(replenishments);
        await Task.WhenAll(wakeUps);
        Assert.Equal(3, replenishments.Count(r => r.Result == true));

        var last = await Task.WhenAll(orders.Select(orderId => WaitAsync(orderId, sku, 1)));
        Assert.All(last, r => Assert.True(r.Reserved));
        Assert.Equal((0, 0), (await _store.AvailableAsync(sku), (await _store.GetStockAsync(sku, CancellationToken.None))!.WaitingQuantity));
        Assert.Empty(await _store.GetWaitersAsync(sku, CancellationToken.None));
        var held = 0;
        foreach (var orderId in orders)
        {
            held += (await _store.GetReservationsAsync(orderId, [new OrderLine(sku, 1)], CancellationToken.None)).Single(r => r.Status == ReservationStatuses.Reserved).Quantity;
        }

        Assert.Equal(20, held);
    }

    [Fact]
    public async Task ReordersWhatTheWaitersNeedAndAgainGivenWaitersThatJoinedWhileAReorderWasOpen()
    {
        var sku = InventoryTestServices.NewSku();
        await _store.SeedAsync([InventoryTestServices.Item(sku, 0) with { ReorderPoint = 1, ReorderQuantity = 2 }], CancellationToken.None);

        await WaitAsync(OrderIds.NewRandom(), sku, 3);
        await WaitAsync(OrderIds.NewRandom(), sku, 4);
        var first = Assert.Single(Reorders(sku));
        Assert.Equal(($"{sku}-1", 2 + 3), (first.ReorderId, first.Quantity));

        // Its 5 units serve the first waiter; the second still needs 4 more than there is: the next reorder opens with it.
        Assert.True(await _store.ReplenishAsync(sku, first.ReorderId, first.ReorderId, first.Quantity, CancellationToken.None));
        var reorders = Reorders(sku);
        Assert.Equal(2, reorders.Count);
        Assert.Equal(($"{sku}-2", 2 + 2), (reorders[1].ReorderId, reorders[1].Quantity));
        Assert.Equal($"{sku}-2", (await _store.GetStockAsync(sku, CancellationToken.None))!.OpenReorderId);
    }

    private List<Shop.Functions.Inventory.Supplier.ReorderStock> Reorders(string sku) =>
        [.. _shop.Sender.Sent
            .Where(m => m.Subject == "ReorderStock" && m.CorrelationId.StartsWith(sku + "-", StringComparison.Ordinal))
            .Select(m => System.Text.Json.JsonSerializer.Deserialize(m.Body.ToString(), Shop.Functions.Platform.ShopJsonContext.Default.ReorderStock)!)];

    private Task<ReservationResult> WaitAsync(string orderId, string sku, int quantity) =>
        _store.ReserveOrWaitAsync(orderId, [new OrderLine(sku, quantity)], CancellationToken.None);
}
