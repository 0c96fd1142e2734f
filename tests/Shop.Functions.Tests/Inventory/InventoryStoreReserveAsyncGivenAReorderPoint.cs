using Azure.Data.Tables;
using Shop.Functions.Catalog;
using Shop.Functions.Inventory;
using Shop.Functions.Inventory.Supplier;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

/// <summary>
/// Reordering (docs/inventory.md): a reservation that leaves the stock below the reorder point opens one reorder, in its
/// own transaction (marker on the stock row + ReorderStock in the SKU's outbox); at most one is open per SKU; a
/// replenishment adds its units once and closes the reorder; stock never goes negative, also under concurrency.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class InventoryStoreReserveAsyncGivenAReorderPoint(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;
    private InventoryStore _store = null!;

    public async Task InitializeAsync()
    {
        _shop = await InventoryTestServices.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Outbox:SweepAge"] = "00:00:00" });
        _store = _shop.Get<InventoryStore>();
    }

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task OpensOneReorderGivenAReservationThatTakesTheStockBelowThePoint()
    {
        var sku = await StockedAsync(12, reorderPoint: 10, reorderQuantity: 40);

        await ReserveAsync(sku, 2);
        Assert.Empty(Reorders(sku));
        await ReserveAsync(sku, 1);
        await ReserveAsync(sku, 1);

        var reorder = Assert.Single(Reorders(sku));
        Assert.Equal($"ReorderStock:{sku}-1", reorder.MessageId);
        Assert.Equal(Queues.ReorderStock, reorder.Destination);
        var command = reorder.Body.ToObjectFromJson<ReorderStock>(ShopJsonContext.Default.Options)!;
        Assert.Equal(($"{sku}-1", sku, 40), (command.ReorderId, command.Sku, command.Quantity));
        var stock = await StockAsync(sku);
        Assert.Equal((8, $"{sku}-1"), (stock.Available, stock.OpenReorderId));
        await _shop.Get<OutboxRelay>().DrainAsync();
        Assert.Empty(await OutboxRowsAsync(sku));
    }

    [Fact]
    public async Task OpensNoReorderGivenAReorderPointOfZero()
    {
        var sku = await StockedAsync(3, reorderPoint: 0, reorderQuantity: 40);

        await ReserveAsync(sku, 3);

        Assert.Empty(Reorders(sku));
        Assert.Null((await StockAsync(sku)).OpenReorderId);
    }

    [Fact]
    public async Task OpensOneReorderGivenManyConcurrentReservationsCrossingThePoint()
    {
        var sku = await StockedAsync(20, reorderPoint: 15, reorderQuantity: 30);

        var results = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, 1)], CancellationToken.None)));

        Assert.Equal(20, results.Count(r => r.Reserved));
        Assert.Equal(0, await _store.AvailableAsync(sku));
        Assert.Equal($"ReorderStock:{sku}-1", Assert.Single(Reorders(sku)).MessageId);
    }

    [Fact]
    public async Task LeavesTheReorderToTheSweeperGivenTheSendFails()
    {
        var sku = await StockedAsync(10, reorderPoint: 10, reorderQuantity: 40);
        _shop.Sender.FailWith = new InvalidOperationException("Service Bus is down.");

        await ReserveAsync(sku, 1);

        Assert.Empty(Reorders(sku));
        Assert.Single(await OutboxRowsAsync(sku));
        _shop.Sender.FailWith = null;
        await _shop.Get<OutboxSweeper>().SweepAsync(CancellationToken.None);
        Assert.Equal($"ReorderStock:{sku}-1", Assert.Single(Reorders(sku)).MessageId);
        Assert.Empty(await OutboxRowsAsync(sku));
    }

    [Fact]
    public async Task AddsAReplenishmentOnceAndClosesItsReorderSoTheNextShortfallOpensAnother()
    {
        var sku = await StockedAsync(10, reorderPoint: 10, reorderQuantity: 40);
        await ReserveAsync(sku, 5);

        Assert.True(await _store.ReplenishAsync(sku, $"{sku}-1", $"{sku}-1", 40, CancellationToken.None));
        Assert.False(await _store.ReplenishAsync(sku, $"{sku}-1", $"{sku}-1", 40, CancellationToken.None));

        var stock = await StockAsync(sku);
        Assert.Equal((45, null), (stock.Available, stock.OpenReorderId));
        await ReserveAsync(sku, 36);
        Assert.Equal([$"ReorderStock:{sku}-1", $"ReorderStock:{sku}-2"], Reorders(sku).Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.Equal(9, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task NeverGoesNegativeNorCountsAReplenishmentTwiceGivenRacingReservationsAndDuplicateReplenishments()
    {
        var sku = await StockedAsync(5, reorderPoint: 3, reorderQuantity: 20);

        var reservations = Enumerable.Range(0, 30).Select(_ => _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, 1)], CancellationToken.None)).ToList();
        var replenishments = Enumerable.Range(0, 6).Select(i => _store.ReplenishAsync(sku, $"R-{i % 2}", "elsewhere", 20, CancellationToken.None)).ToList();
        var reserved = (await Task.WhenAll(reservations)).Count(r => r.Reserved);
        var added = (await Task.WhenAll(replenishments)).Count(a => a == true);

        Assert.Equal(2, added);
        var available = await _store.AvailableAsync(sku);
        Assert.InRange(available, 0, 45);
        Assert.Equal(5 + 40, available + reserved);
    }

    private async Task<string> StockedAsync(int available, int reorderPoint, int reorderQuantity)
    {
        var sku = InventoryTestServices.NewSku();
        var item = InventoryTestServices.Item(sku, available) with { ReorderPoint = reorderPoint, ReorderQuantity = reorderQuantity };
        await _store.SeedAsync([item], CancellationToken.None);
        return sku;
    }

    private Task<ReservationResult> ReserveAsync(string sku, int quantity) =>
        _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, quantity)], CancellationToken.None);

    private List<OutgoingMessage> Reorders(string sku) =>
        [.. _shop.Sender.Sent.Where(m => m.Subject == nameof(ReorderStock) && m.CorrelationId.StartsWith(sku + "-", StringComparison.Ordinal))];

    private async Task<StockRow> StockAsync(string sku) => (await _store.GetStockAsync(sku, CancellationToken.None))!;

    private async Task<List<TableEntity>> OutboxRowsAsync(string sku) =>
        await _store.Table.QueryAsync<TableEntity>(e => e.PartitionKey == sku && e.RowKey.CompareTo(OutboxRow.RowKeyPrefix) >= 0 && e.RowKey.CompareTo("outbox}") < 0).ToListAsync();
}
