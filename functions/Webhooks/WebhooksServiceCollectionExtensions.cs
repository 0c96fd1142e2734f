using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.FanOut;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    /// <summary>Registration, fan-out, delivery and its log (docs/architecture.md, "Webhooks").</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        // Binds and validates WebhookOptions, once (binding twice would append to RedeliveryDelays).
        services.AddWebhookDelivery();
        services.AddSingleton<CallbackSecrets>();
        services.AddSingleton<CallbackUrlPolicy>();
        services.AddSingleton<WebhookSubscriptionCache>();
        services.AddSingleton<WebhookSubscriptionStore>();
        services.AddSingleton<RegisterWebhookHandler>();
        services.AddSingleton<WebhookLookup>();
        services.AddSingleton<WebhookDeliveryLog>();
        services.AddSingleton<WebhookDeliveryHandler>();
        services.AddSingleton<WebhookSubscriptionHandler>();
        services.AddSingleton<FanOutWebhooksHandler>();
        services.AddSingleton<DeliverWebhookHandler>();
        return services;
    }
}
