using System.Text.Json;
using Shop.Functions.Catalog;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

public sealed class CatalogPricesTotal
{
    [Fact]
    public void ChargesThePricesTakenAtIntakeNotTodaysCatalog()
    {
        var order = Order([new OrderLine("SKU-001", 2), new OrderLine("SKU-002", 3)]);
        order.PricedItems = JsonSerializer.Serialize(
            new List<PricedLine> { new("SKU-001", 2, 1.25m, "EUR"), new("SKU-002", 3, 10m, "EUR") },
            ShopJsonContext.Default.ListPricedLine);

        Assert.Equal((32.50m, "EUR"), CatalogPrices.Total(order));
    }

    [Fact]
    public void ChargesSeedPricesGivenAnOrderAcceptedBeforeIntakePricedOrders()
    {
        var order = Order([new OrderLine("SKU-001", 2), new OrderLine("SKU-002", 3)]);
        var (first, second) = (CatalogSeed.Find("SKU-001")!, CatalogSeed.Find("SKU-002")!);

        Assert.Equal(((first.Price * 2) + (second.Price * 3), first.Currency), CatalogPrices.Total(order));
    }

    private static OrderRow Order(List<OrderLine> lines) => new()
    {
        PartitionKey = OrderIds.NewRandom(),
        Items = JsonSerializer.Serialize(lines, ShopJsonContext.Default.ListOrderLine),
    };
}
