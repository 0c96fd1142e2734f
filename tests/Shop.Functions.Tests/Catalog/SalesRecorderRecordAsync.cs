using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SalesRecorderRecordAsync(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task CountsOnlyTheSkusNotCountedYetGivenAnOrderCountedInPart()
    {
        // What a retry finds after a storage failure between two SKUs of one order.
        var (first, second) = (OrderCompletedEvents.NewSku(), OrderCompletedEvents.NewSku());
        var orderId = OrderIds.NewRandom();
        var recorder = _shop.Get<SalesRecorder>();
        await recorder.RecordAsync(orderId, [new SaleLine(first, 2)], CancellationToken.None);

        var counted = await recorder.RecordAsync(orderId, [new SaleLine(first, 2), new SaleLine(second, 4)], CancellationToken.None);

        Assert.Equal(1, counted);
        var sales = _shop.Get<CatalogSales>();
        Assert.Equal(
            [new SkuSales(second, 4, 1), new SkuSales(first, 2, 1)],
            await sales.GetTopSellersAsync([first, second], 2, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ord/1")]
    [InlineData("ord#1")]
    public async Task RejectsAnOrderIdThatCannotBeAKey(string orderId) =>
        await Assert.ThrowsAsync<ArgumentException>(() =>
            _shop.Get<SalesRecorder>().RecordAsync(orderId, [new SaleLine(OrderCompletedEvents.NewSku(), 1)], CancellationToken.None));
}
