using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Orders.Watchdog;

namespace Shop.Functions.Orders;

public static class OrdersServiceCollectionExtensions
{
    /// <summary>Order intake and reads, and the open-orders index with its watchdog.</summary>
    public static IServiceCollection AddOrders(this IServiceCollection services)
    {
        services.AddOptions<OrdersOptions>()
            .BindConfiguration(OrdersOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => IsBase64Secret(o.IdempotencySecret), "Orders:IdempotencySecret must be base64 of at least 32 bytes.")
            .ValidateOnStart();
        services.TryAddSingleton<OrderStore>();
        services.TryAddSingleton<OrderLookup>();
        services.TryAddSingleton<CancelOrderHandler>();
        services.TryAddSingleton<OrderProgress>();
        services.TryAddSingleton<SubmitOrderHandler>();
        services.TryAddSingleton<OrderPricing>();
        services.AddOptions<OpenOrdersOptions>().BindConfiguration(OpenOrdersOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<OpenOrderIndex>();
        services.TryAddSingleton<History.CustomerOrderIndex>();
        services.TryAddSingleton<OpenOrdersWatchdog>();
        return services;
    }

    private static bool IsBase64Secret(string value)
    {
        Span<byte> buffer = stackalloc byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 32;
    }
}
