using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class InventoryStoreReleaseAsync(AzuriteFixture azurite) : IAsyncLifetime
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
    public async Task RestoresStockAndMarksTheReservationReleased()
    {
        var (sku, orderId, lines) = await ReservedOrderAsync(available: 10, quantity: 4);

        await _store.ReleaseAsync(orderId, lines, CancellationToken.None);

        Assert.Equal(10, await _store.AvailableAsync(sku));
        var reservation = Assert.Single(await _store.GetReservationsAsync(orderId, lines, CancellationToken.None));
        Assert.Equal((4, ReservationStatuses.Released), (reservation.Quantity, reservation.Status));
        Assert.NotNull(reservation.ReleasedAt);
    }

    [Fact]
    public async Task IsANoOpGivenTheOrderIsReleasedAlready()
    {
        var (sku, orderId, lines) = await ReservedOrderAsync(available: 10, quantity: 4);
        await _store.ReleaseAsync(orderId, lines, CancellationToken.None);

        await _store.ReleaseAsync(orderId, lines, CancellationToken.None);

        Assert.Equal(10, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task RestoresOnceGivenConcurrentReleases()
    {
        var (sku, orderId, lines) = await ReservedOrderAsync(available: 10, quantity: 4);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.ReleaseAsync(orderId, lines, CancellationToken.None)));

        Assert.Equal(10, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task GivesNothingBackButMarksTheLinesReleasedGivenTheOrderWasNeverReserved()
    {
        var sku = await _store.StockedSkuAsync(10);
        var orderId = OrderIds.NewRandom();

        await _store.ReleaseAsync(orderId, [new OrderLine(sku, 4), new OrderLine(InventoryTestServices.NewSku(), 1)], CancellationToken.None);

        Assert.Equal(10, await _store.AvailableAsync(sku));
        var tombstone = Assert.Single(await _store.GetReservationsAsync(orderId, [new OrderLine(sku, 4)], CancellationToken.None));
        Assert.Equal((ReservationStatuses.Released, 0), (tombstone.Status, tombstone.Quantity));
    }

    [Fact]
    public async Task ReleasesOnlyThisOrdersReservation()
    {
        var (sku, orderId, lines) = await ReservedOrderAsync(available: 10, quantity: 4);
        var other = OrderIds.NewRandom();
        await _store.ReserveAsync(other, [new OrderLine(sku, 5)], CancellationToken.None);

        await _store.ReleaseAsync(orderId, lines, CancellationToken.None);

        Assert.Equal(5, await _store.AvailableAsync(sku));
        Assert.Equal(ReservationStatuses.Reserved, Assert.Single(await _store.GetReservationsAsync(other, lines, CancellationToken.None)).Status);
    }

    private async Task<(string Sku, string OrderId, OrderLine[] Lines)> ReservedOrderAsync(int available, int quantity)
    {
        var sku = await _store.StockedSkuAsync(available);
        var orderId = OrderIds.NewRandom();
        OrderLine[] lines = [new(sku, quantity)];
        Assert.Equal(ReservationResult.AllReserved, await _store.ReserveAsync(orderId, lines, CancellationToken.None));
        return (sku, orderId, lines);
    }
}
