using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Inventory.Supplier;

namespace Shop.Functions.Inventory;

public static class InventoryServiceCollectionExtensions
{
    /// <summary>
    /// Stock, reservations and receipts, the startup seeding of the catalog's stock, and reordering: the sandbox supplier
    /// (<c>reorder-stock</c>) and the StockReplenished consumer (its handler is built per call with the Durable client). Only the sandbox supplier exists so far.
    /// </summary>
    public static IServiceCollection AddInventory(this IServiceCollection services)
    {
        services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InventoryStore>();
        services.AddHostedService<InventorySeeder>();
        services.AddOptions<SupplierOptions>().BindConfiguration(SupplierOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<SandboxSupplierHandler>();
        return services;
    }
}
