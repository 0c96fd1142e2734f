using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shop.Functions.Platform.Http;

namespace Shop.Functions.Webhooks.Delivery;

public static class WebhookDeliveryServiceCollectionExtensions
{
    /// <summary>The one HttpClient configuration every outbound webhook request goes through.</summary>
    public const string HttpClientName = "Webhooks";

    /// <summary>
    /// The outbound half of webhooks: <see cref="IWebhookSender"/> and <see cref="WebhookHandshake"/> (typed clients of
    /// one named HttpClient, so both connect through the SSRF guard and follow no redirects), the guard and the
    /// per-host circuit breakers, configured by <see cref="WebhookOptions"/>. The resolver is registered with
    /// TryAdd, so one registered earlier (a test's) wins.
    /// </summary>
    public static IServiceCollection AddWebhookDelivery(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .PostConfigure<IOptions<PublicUrlOptions>>((o, urls) => o.RequestOrigin ??= DefaultOrigin(urls.Value))
            .Validate(o => o.RetryMaxDelay >= o.RetryDelay, "Webhooks:RetryMaxDelay must not be shorter than Webhooks:RetryDelay.")
            .Validate(o => Uri.CheckHostName(o.RequestOrigin) is UriHostNameType.Dns, "Webhooks:RequestOrigin must be a DNS name, e.g. shop.contoso.com.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.TryAddSingleton<WebhookDestinationGuard>();
        services.TryAddSingleton<WebhookResiliencePipelines>();
        services.AddHttpClient(HttpClientName, http =>
            {
                // Each attempt's timeout is the pipeline's (WebhookOptions.Timeout): one layer.
                http.Timeout = Timeout.InfiniteTimeSpan;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("Shop-Webhooks/1.0");
            })
            .ConfigurePrimaryHttpMessageHandler(CreateHandler)
            // The default HttpClient logging writes each request's full URL at Information: the tokens in Slack,
            // Discord or Teams webhook paths and in callbackUrls would reach the logs. WebhookSender logs the host only.
            .RemoveAllLoggers()
            .AddTypedClient<IWebhookSender, WebhookSender>()
            .AddTypedClient<WebhookHandshake>();
        return services;
    }

    /// <summary>The public base URL's host (the name Shop is known by), else <see cref="WebhookOptions.DefaultRequestOrigin"/>.</summary>
    private static string DefaultOrigin(PublicUrlOptions urls) =>
        Uri.TryCreate(urls.BaseUrl, UriKind.Absolute, out var baseUrl) && Uri.CheckHostName(baseUrl.IdnHost) is UriHostNameType.Dns
            ? baseUrl.IdnHost
            : WebhookOptions.DefaultRequestOrigin;

    private static SocketsHttpHandler CreateHandler(IServiceProvider services) => new()
    {
        // A redirect could point anywhere, a proxy would be the one vetted instead of the destination.
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectCallback = services.GetRequiredService<WebhookDestinationGuard>().ConnectAsync,
        ConnectTimeout = services.GetRequiredService<IOptions<WebhookOptions>>().Value.Timeout,
        // A body left unread past the cap is dropped with its connection, not drained.
        MaxResponseDrainSize = 0,
        MaxResponseHeadersLength = 64,
    };
}
