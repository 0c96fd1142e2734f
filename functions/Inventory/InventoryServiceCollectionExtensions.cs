using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Inventory;

public static class InventoryServiceCollectionExtensions
{
    /// <summary>Stock and reservations, and the startup seeding of the catalog's stock.</summary>
    public static IServiceCollection AddInventory(this IServiceCollection services)
    {
        services.AddOptions<InventoryOptions>().BindConfiguration(InventoryOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InventoryStore>();
        services.AddHostedService<InventorySeeder>();
        return services;
    }
}
