using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;

namespace Shop.Functions.Platform.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>Dependency checks for <c>GET /api/health</c>: Table storage always, Service Bus where it is configured.</summary>
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHealthChecks();
        services.TryAddSingleton<ConfiguredProviders>();
        services.AddOptions<HealthCheckServiceOptions>().Configure<IConfiguration, IOptions<HealthOptions>>((checks, configuration, options) =>
        {
            var timeout = options.Value.Timeout;
            checks.Registrations.Add(new HealthCheckRegistration(
                TableStorageHealthCheck.Name,
                sp => ActivatorUtilities.CreateInstance<TableStorageHealthCheck>(sp),
                HealthStatus.Unhealthy,
                tags: null,
                timeout));
            if (IsConfigured(configuration.GetSection(Connections.ServiceBus)))
            {
                checks.Registrations.Add(new HealthCheckRegistration(
                    ServiceBusHealthCheck.Name,
                    sp => ActivatorUtilities.CreateInstance<ServiceBusHealthCheck>(sp),
                    HealthStatus.Unhealthy,
                    tags: null,
                    timeout));
            }
        });
        return services;
    }

    /// <summary>A connection string, or a namespace for an identity-based connection (<see cref="AzureClients"/>).</summary>
    private static bool IsConfigured(IConfigurationSection section) =>
        !string.IsNullOrEmpty(section.Value) || !string.IsNullOrEmpty(section["fullyQualifiedNamespace"]);
}
