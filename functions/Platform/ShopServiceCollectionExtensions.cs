using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Catalog;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Notifications;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Platform.Health;
using Shop.Functions.Platform.Retention;
using Shop.Functions.Shipping;
using Shop.Functions.Webhooks;

namespace Shop.Functions.Platform;

public static class ShopServiceCollectionExtensions
{
    /// <summary>Everything the app registers, one call per feature. Tests and benchmarks use this too.</summary>
    public static IServiceCollection AddShop(this IServiceCollection services) =>
        services
            .AddPlatform()
            .AddMessaging()
            .AddDeadLetters()
            .AddOrders()
            .AddInventory()
            .AddPayments()
            .AddFulfillment()
            .AddCatalog()
            .AddShipping()
            .AddNotifications()
            .AddWebhooks()
            .AddHealth()
            .AddRetention();
}
