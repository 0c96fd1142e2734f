using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

/// <summary>The reader the "popular items" query will use.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class CatalogSalesGetTopSellersAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task RanksByUnitsSoldThenBySkuWithUnsoldSkusLast()
    {
        var skus = Enumerable.Range(0, 4).Select(_ => OrderCompletedEvents.NewSku()).Order(StringComparer.Ordinal).ToList();
        await SellAsync(skus[2], 5);
        await SellAsync(skus[1], 2);
        await SellAsync(skus[0], 2);
        await SellAsync(skus[1], 1);

        var top = await _shop.Get<CatalogSales>().GetTopSellersAsync(skus, 10, CancellationToken.None);

        Assert.Equal(
            [new SkuSales(skus[2], 5, 1), new SkuSales(skus[1], 3, 2), new SkuSales(skus[0], 2, 1), new SkuSales(skus[3], 0, 0)],
            top);
    }

    [Fact]
    public async Task TakesTheTopGivenMoreSkusAndIgnoresSkusTheShopDoesNotAccept()
    {
        var (best, other) = (OrderCompletedEvents.NewSku(), OrderCompletedEvents.NewSku());
        await SellAsync(best, 4);
        await SellAsync(other, 1);

        var top = await _shop.Get<CatalogSales>().GetTopSellersAsync([other, "not a sku", best.ToLowerInvariant(), best], 1, CancellationToken.None);

        Assert.Equal([new SkuSales(best, 4, 1)], top);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task RejectsATopBelowOne(int top) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _shop.Get<CatalogSales>().GetTopSellersAsync(["SKU-001"], top, CancellationToken.None));

    private Task<int> SellAsync(string sku, int quantity) =>
        _shop.Get<SalesRecorder>().RecordAsync(OrderIds.NewRandom(), [new SaleLine(sku, quantity)], CancellationToken.None);
}
