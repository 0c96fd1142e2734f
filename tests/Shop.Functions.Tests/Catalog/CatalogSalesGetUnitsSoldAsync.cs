using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class CatalogSalesGetUnitsSoldAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task AnswersZeroForAnUnsoldSkuAndIgnoresCase()
    {
        var sku = OrderCompletedEvents.NewSku();
        var sales = _shop.Get<CatalogSales>();
        Assert.Equal(0, await sales.GetUnitsSoldAsync(sku, CancellationToken.None));

        await SellAsync(sku, 3);

        Assert.Equal(3, await sales.GetUnitsSoldAsync(sku.ToLowerInvariant(), CancellationToken.None));
        Assert.Equal(0, await sales.GetUnitsSoldAsync("not a sku", CancellationToken.None));
    }

    private Task<int> SellAsync(string sku, int quantity) =>
        _shop.Get<SalesRecorder>().RecordAsync(OrderIds.NewRandom(), [new SaleLine(sku, quantity)], CancellationToken.None);
}
