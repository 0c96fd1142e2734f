using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

/// <summary>
/// <c>sort=popular</c> after orders complete: the <c>catalog</c> subscription counts them, the list ranks by units sold.
/// Its own Azurite: the shared one's seed SKUs are sold by other tests.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class ListCatalogItemsFunctionPopularity(AzuriteFixture azurite) : IAsyncLifetime
{
    private AzuriteServer _server = null!;
    private CatalogTest _catalog = null!;

    public async Task InitializeAsync()
    {
        _server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        _catalog = await CatalogTest.StartAsync(_server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _catalog.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task RanksByUnitsSoldInCompletedOrdersOnceTheTtlHasPassed()
    {
        var before = await TopSkusAsync(3);
        Assert.Equal(["SKU-001", "SKU-002", "SKU-003"], before); // nothing sold: by SKU

        await CompleteAsync(new OrderLine("SKU-012", 5));
        await CompleteAsync(new OrderLine("SKU-005", 3), new OrderLine("SKU-002", 1));
        await CompleteAsync(new OrderLine("sku-005", 4));

        Assert.Equal(before, await TopSkusAsync(3)); // still the cached answer
        _catalog.Time.Advance(_catalog.Ttl);
        var body = (await _catalog.ListAsync("?top=4&sort=popular")).Json();

        var items = body.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("sku").GetString(), i.GetProperty("unitsSold").GetInt64()));
        Assert.Equal([("SKU-005", 7L), ("SKU-012", 5L), ("SKU-002", 1L), ("SKU-001", 0L)], items);
    }

    private async Task<List<string?>> TopSkusAsync(int top) =>
        [.. (await _catalog.ListAsync($"?top={top}")).Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sku").GetString())];

    private async Task CompleteAsync(params OrderLine[] lines)
    {
        var actions = new Mock<ServiceBusMessageActions>();
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), lines));

        await _catalog.Shop.Function<OrderCompletedConsumer>().OrderCompleted(message, actions.Object, CancellationToken.None);

        actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
    }
}
