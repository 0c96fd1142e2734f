using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Catalog;

public static class CatalogSalesServiceCollectionExtensions
{
    /// <summary>Units sold per SKU: the <c>catalog</c> subscription's handler, the recorder and the reader.</summary>
    public static IServiceCollection AddCatalogSales(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SalesRecorder>();
        services.TryAddSingleton<CatalogSales>();
        services.TryAddSingleton<OrderCompletedHandler>();
        return services;
    }
}
