using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Shop.Functions.Webhooks.Delivery;

public static class WebhookDeliveryServiceCollectionExtensions
{
    /// <summary>
    /// The outbound half of webhooks: <see cref="IWebhookSender"/> (a typed HttpClient), the SSRF guard and the
    /// per-host circuit breakers, configured by <see cref="WebhookDeliveryOptions"/>. The resolver is registered with
    /// TryAdd, so one registered earlier (a test's) wins.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookDeliveryOptions>()
            .BindConfiguration(WebhookDeliveryOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.RetryMaxDelay >= o.RetryDelay, "Webhooks:RetryMaxDelay must not be shorter than Webhooks:RetryDelay.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.TryAddSingleton<WebhookDestinationGuard>();
        services.TryAddSingleton<WebhookResiliencePipelines>();
        services.AddHttpClient<IWebhookSender, WebhookSender>(http =>
            {
                // Each attempt's timeout is the pipeline's (WebhookDeliveryOptions.Timeout): one layer.
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Shop-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            .RedactLoggedHeaders([WebhookSignatures.SignatureHeader]);
        return services;
    }

    private static SocketsHttpHandler CreateHandler(IServiceProvider services) => new()
    {
        // A redirect could point anywhere, a proxy would be the one vetted instead of the destination.
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = services.GetRequiredService<WebhookDestinationGuard>().ConnectAsync,
        ConnectTimeout = services.GetRequiredService<IOptions<WebhookDeliveryOptions>>().Value.Timeout,
        // A body left unread past the cap is dropped with its connection, not drained.
        MaxResponseDrainSize = 0,
        MaxResponseHeadersLength = 64,
    };
}
