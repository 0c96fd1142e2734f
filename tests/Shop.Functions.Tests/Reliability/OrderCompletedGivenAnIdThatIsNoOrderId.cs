using Azure.Data.Tables;
using Shop.Functions.Catalog;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Found by the bad-message campaign: OrderCompleted events for "orders" such as '%2e%2e%2f' or
/// "' or PartitionKey ne '" were counted as sales: units sold rose for an order that never existed.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderCompletedGivenAnIdThatIsNoOrderId(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [InlineData("%2e%2e%2f")]
    [InlineData("' or PartitionKey ne '")]
    [InlineData("order-1")]
    public async Task DeadLettersWithoutCounting(string orderId)
    {
        var message = BadMessageRegression.Received(BadMessageRegression.Event(OrderEventTypes.OrderCompleted, orderId, [new OrderLine("SKU-001", 2)]));

        var actions = await BadMessageRegression.ConsumeAsync(_shop, "OrderCompleted", message);

        actions.VerifyDeadLettered(message, "ValidationFailed", "orderId");
        var sale = await _shop.Tables.GetTableClient(StorageTables.Catalog)
            .GetEntityIfExistsAsync<TableEntity>("SKU-001", CatalogKeys.SaleRowKey(orderId));
        Assert.False(sale.HasValue);
    }
}
