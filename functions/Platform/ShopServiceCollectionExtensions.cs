using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;

namespace Shop.Functions.Platform;

public static class ShopServiceCollectionExtensions
{
    /// <summary>Everything the app registers, one call per feature. Tests and benchmarks use this too.</summary>
    public static IServiceCollection AddShop(this IServiceCollection services) =>
        services
            .AddPlatform()
            .AddMessaging()
            .AddOrders();
}
