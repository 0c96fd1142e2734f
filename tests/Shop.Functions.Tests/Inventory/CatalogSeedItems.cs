using Shop.Functions.Catalog;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

/// <summary>The seed data the inventory is stocked from (and the saga prices orders with).</summary>
public sealed class CatalogSeedItems
{
    [Fact]
    public void LoadsAtLeastThirtyItemsWithUniqueSkus()
    {
        var items = CatalogSeed.Items;

        Assert.True(items.Count >= 30, $"Only {items.Count} items.");
        Assert.Equal(items.Count, items.Select(item => item.Sku).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(items, item => Assert.Matches("^[A-Z0-9-]+$", item.Sku));
    }

    [Fact]
    public void HasTheSkusTheOrderTestsUse()
    {
        Assert.Equal("SKU-001", CatalogSeed.Find("SKU-001")?.Sku);
        Assert.True(CatalogSeed.Find("SKU-002")?.InitialStock > 0);
    }

    [Fact]
    public void PricesInEuroWithTwoDecimalsAndStockFromNoneToPlenty()
    {
        var items = CatalogSeed.Items;

        Assert.All(items, item =>
        {
            Assert.Equal("EUR", item.Currency);
            Assert.True(item.Price > 0 && decimal.Round(item.Price, 2) == item.Price, $"{item.Sku} costs {item.Price}.");
            Assert.False(string.IsNullOrWhiteSpace(item.Name));
            Assert.False(string.IsNullOrWhiteSpace(item.Description));
        });
        Assert.Contains(items, item => item.InitialStock == 0);
        Assert.Contains(items, item => item.InitialStock is > 0 and < 10);
        Assert.True(items.Count(item => item.InitialStock is >= 20 and <= 200) > items.Count / 2);
    }

    [Fact]
    public void FindsIgnoringCase()
    {
        Assert.Same(CatalogSeed.Find("SKU-001"), CatalogSeed.Find("sku-001"));
        Assert.Null(CatalogSeed.Find("NO-SUCH-SKU"));
    }
}
