using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Fulfillment;

public static class FulfillmentServiceCollectionExtensions
{
    /// <summary>The saga's steps and its starter. Stock and payments come from their own features.</summary>
    public static IServiceCollection AddFulfillment(this IServiceCollection services)
    {
        services.AddOptions<FulfillmentOptions>().BindConfiguration(FulfillmentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FulfillmentSteps>();
        services.TryAddSingleton<FulfillmentStarter>();
        return services;
    }
}
