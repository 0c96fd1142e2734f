using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Shop.Functions.Messaging.Consumers;

public static class ConsumersServiceCollectionExtensions
{
    /// <summary>The one settlement and retry pipeline that every Service Bus consumer delegates to.</summary>
    public static IServiceCollection AddMessagePipeline(this IServiceCollection services)
    {
        services.AddOptions<ConsumerOptions>().BindConfiguration(ConsumerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<MessagePipeline>();
        return services;
    }
}
