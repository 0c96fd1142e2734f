using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Messaging.DeadLetters;

public static class DeadLettersServiceCollectionExtensions
{
    /// <summary>Listing and replaying dead letters, on the app's Service Bus client and message sender.</summary>
    public static IServiceCollection AddDeadLetters(this IServiceCollection services)
    {
        services.TryAddSingleton<IDeadLetterStore, ServiceBusDeadLetterStore>();
        return services;
    }
}
