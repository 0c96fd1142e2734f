using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Tests.Webhooks.Delivery;

/// <summary>
/// The delivery services as the app registers them (<see cref="WebhookDeliveryServiceCollectionExtensions.AddWebhookDelivery"/>),
/// with test options: http and loopback allowed (the receiver is http://127.0.0.1), quick retries in milliseconds.
/// </summary>
public sealed class WebhookDeliveryTest : IAsyncDisposable
{
    public const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    public const string OtherSecret = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24tZ3JhY2U=";

    private readonly ServiceProvider _services;

    private WebhookDeliveryTest(ServiceProvider services, CapturedLogs logs)
    {
        _services = services;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }

    public IWebhookSender Sender => _services.GetRequiredService<IWebhookSender>();

    public WebhookDestinationGuard Guard => _services.GetRequiredService<WebhookDestinationGuard>();

    /// <param name="time">The clock the circuit breaker reads (timers and delays still run in real time).</param>
    public static WebhookDeliveryTest Create(Action<WebhookOptions>? configure = null, IWebhookHostResolver? resolver = null, TimeProvider? time = null)
    {
        var logs = new CapturedLogs();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        if (resolver is not null)
        {
            services.AddSingleton(resolver);
        }

        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddWebhookDelivery();
        services.Configure<WebhookOptions>(options =>
        {
            options.RequireHttps = false;
            options.AllowLoopback = true;
            options.RetryDelay = TimeSpan.FromMilliseconds(10);
            options.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
            configure?.Invoke(options);
        });
        return new WebhookDeliveryTest(services.BuildServiceProvider(validateScopes: true), logs);
    }

    public static WebhookPost Post(Uri url, params string[] secrets) => new(
        url,
        $"msg_{Guid.NewGuid():N}",
        DateTimeOffset.UtcNow,
        """{"specversion":"1.0","type":"OrderCompleted","source":"/orders","id":"e1","data":{"orderId":"o-1","note":"caf\u00e9 ✓"}}""",
        secrets.Length == 0 ? [Secret] : secrets);

    /// <summary>
    /// The Standard Webhooks signature, computed here from the spec, not by the code under test: HMAC-SHA256 over
    /// "{id}.{timestamp}.{body}" keyed with the base64-decoded secret (without "whsec_"), base64, prefixed "v1,".
    /// </summary>
    public static string ExpectedSignature(ReceivedWebhook request, string secret)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{request.Header("webhook-id")}.{request.Header("webhook-timestamp")}.{request.Body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    public static bool IsSignedWith(ReceivedWebhook request, string secret) =>
        request.Header("webhook-signature").Split(' ').Contains(ExpectedSignature(request, secret));

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
