using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>The publisher and the transactional outbox (relay and sweeper).</summary>
    public static IServiceCollection AddMessaging(this IServiceCollection services)
    {
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<IMessageSender, ServiceBusMessageSender>();
        services.TryAddSingleton<OutboxIndex>();
        services.TryAddSingleton<OutboxPointerDeletes>();
        services.TryAddSingleton<OutboxRelay>();
        services.TryAddSingleton<OutboxLegacyScan>();
        services.TryAddSingleton<OutboxSweeper>();
        services.TryAddSingleton<OutboxBacklog>();
        services.AddMessagePipeline();
        return services;
    }
}
