using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Catalog.Sales;

namespace Shop.Functions.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>The catalog: startup seeding, the cached reader and its storage pipeline, and units sold.</summary>
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddCatalogSales();
        services.TryAddSingleton<CatalogStorage>();
        services.TryAddKeyedSingleton(
            CatalogResilience.Key,
            (sp, _) => CatalogResilience.Build(
                sp.GetRequiredService<IOptions<CatalogOptions>>().Value,
                sp.GetRequiredService<TimeProvider>(),
                loggerFactory: sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<CatalogCache>();
        services.AddHostedService<CatalogSeeder>();
        return services;
    }

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
