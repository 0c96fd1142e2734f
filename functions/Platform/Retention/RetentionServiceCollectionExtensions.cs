using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Platform.Retention;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>The finished-orders index and the retention timer's janitor (docs/retention.md).</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<FinishedOrderIndex>();
        services.TryAddSingleton<RetentionJanitor>();
        return services;
    }
}
