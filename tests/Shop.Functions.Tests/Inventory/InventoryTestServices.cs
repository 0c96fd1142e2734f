using Shop.Functions.Catalog;
using Shop.Functions.Inventory;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Inventory;

/// <summary>The app's services with the inventory added, and stock for SKUs no other test uses (tests share one Azurite).</summary>
internal static class InventoryTestServices
{
    public static async Task<ShopTestServices> StartAsync(string storageConnectionString, IDictionary<string, string?>? settings = null)
    {
        var shop = await ShopTestServices.StartAsync(storageConnectionString, settings, services => services.AddInventory());
        await shop.Tables.CreateTableIfNotExistsAsync(StorageTables.Inventory);
        return shop;
    }

    public static string NewSku() => $"TEST-{Guid.NewGuid():N}".ToUpperInvariant();

    /// <summary>A new SKU with this much stock.</summary>
    public static async Task<string> StockedSkuAsync(this InventoryStore store, int available)
    {
        var sku = NewSku();
        await store.SeedAsync([Item(sku, available)], CancellationToken.None);
        return sku;
    }

    public static CatalogSeedItem Item(string sku, int initialStock) =>
        new(sku, $"Test item {sku}", "Made up for a test.", 9.99m, "EUR", initialStock);

    public static async Task<int> AvailableAsync(this InventoryStore store, string sku) =>
        await store.GetAvailableAsync(sku, CancellationToken.None) ?? throw new InvalidOperationException($"{sku} has no stock row.");
}
