using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class InventoryStoreSeedAsync(AzuriteFixture azurite) : IAsyncLifetime
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
    public async Task InsertsAStockRowPerItem()
    {
        string[] skus = [InventoryTestServices.NewSku(), InventoryTestServices.NewSku()];

        var inserted = await _store.SeedAsync([InventoryTestServices.Item(skus[0], 12), InventoryTestServices.Item(skus[1], 0)], CancellationToken.None);

        Assert.Equal(2, inserted);
        Assert.Equal(12, await _store.AvailableAsync(skus[0]));
        Assert.Equal(0, await _store.AvailableAsync(skus[1]));
    }

    [Fact]
    public async Task IsIdempotentAndNeverOverwritesChangedStock()
    {
        var sku = InventoryTestServices.NewSku();
        var item = InventoryTestServices.Item(sku, 12);
        await _store.SeedAsync([item], CancellationToken.None);
        await _store.ReserveAsync(OrderIds.NewRandom(), [new OrderLine(sku, 5)], CancellationToken.None);

        var inserted = await _store.SeedAsync([item, item with { InitialStock = 100 }], CancellationToken.None);

        Assert.Equal(0, inserted);
        Assert.Equal(7, await _store.AvailableAsync(sku));
    }

    [Fact]
    public async Task WritesNothingGivenAnInvalidItem()
    {
        var valid = InventoryTestServices.NewSku();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.SeedAsync([InventoryTestServices.Item(valid, 1), InventoryTestServices.Item("no/slashes", 1)], CancellationToken.None));

        Assert.Null(await _store.GetAvailableAsync(valid, CancellationToken.None));
    }
}
