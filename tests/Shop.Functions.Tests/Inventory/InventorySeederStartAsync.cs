using Microsoft.Extensions.Logging;
using Shop.Functions.Catalog;
using Shop.Functions.Inventory;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Inventory;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class InventorySeederStartAsync(AzuriteFixture azurite)
{
    [Fact]
    public async Task GivesEveryCatalogItemAStockRow()
    {
        await using var shop = await InventoryTestServices.StartAsync(azurite.ConnectionString);
        var store = shop.Get<InventoryStore>();

        foreach (var item in CatalogSeed.Items)
        {
            Assert.NotNull(await store.GetAvailableAsync(item.Sku, CancellationToken.None));
        }

        Assert.DoesNotContain(shop.Logs.Records, log => log.Category == typeof(InventorySeeder).FullName);
    }

    [Fact]
    public async Task LogsAndContinuesGivenStorageDown()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString(), configure: services => services.AddInventory());

        var failure = Assert.Single(shop.Logs.Records, log => log.Category == typeof(InventorySeeder).FullName);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.NotNull(failure.Exception);
    }

    [Fact]
    public async Task DoesNotTouchStorageGivenSeedingTurnedOff()
    {
        // Storage is down, so any attempt would be logged as a failure.
        await using var shop = await ShopTestServices.StartAsync(
            azurite.UnreachableConnectionString(),
            new Dictionary<string, string?> { ["Inventory:SeedOnStartup"] = "false" },
            services => services.AddInventory());

        Assert.DoesNotContain(shop.Logs.Records, log => log.Category == typeof(InventorySeeder).FullName);
    }
}
