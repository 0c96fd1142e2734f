using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Changes to the options of the app's Table and Blob clients, built with the app's own factory (<see cref="AzureClients"/>).
/// Several test tools can each add theirs (a chaos policy, a faulty transport): all are applied, in the order added.
/// </summary>
public static class StorageClients
{
    public static IServiceCollection ConfigureStorageClients(this IServiceCollection services, Action<ClientOptions> configure)
    {
        var configurators = services.FirstOrDefault(d => d.ServiceType == typeof(Configurators))?.ImplementationInstance as Configurators;
        if (configurators is null)
        {
            configurators = new Configurators();
            services.AddSingleton(configurators);
            services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
                sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>(), configurators.Apply)));
            services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateBlobServiceClient(
                sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<AzureComponentFactory>(), configurators.Apply)));
        }

        configurators.Add(configure);
        return services;
    }

    private sealed class Configurators
    {
        private readonly List<Action<ClientOptions>> _all = [];

        public void Add(Action<ClientOptions> configure) => _all.Add(configure);

        public void Apply(ClientOptions options) => _all.ForEach(configure => configure(options));
    }
}
