using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks.Delivery;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// The app's services with its real webhook sender on quick retries of milliseconds, a manual clock, and real HTTP
/// receivers on 127.0.0.1 that <see cref="StopAsync"/> disposes. Without loopback allowed, host names resolve through <see cref="Resolver"/>.
/// </summary>
public sealed class ReceiverTestHost(string storage, IReadOnlyDictionary<string, string?>? settings = null)
{
    private static readonly Dictionary<string, string?> FastRetries = new()
    {
        ["Webhooks:RetryDelay"] = "00:00:00.010",
        ["Webhooks:RetryMaxDelay"] = "00:00:00.020",
        ["Webhooks:Timeout"] = "00:00:05",
    };

    private readonly List<WebhookReceiver> _receivers = [];

    public ScriptedHostResolver Resolver { get; } = new();

    public ShopTestServices Shop { get; private set; } = null!;

    public ManualClock Clock { get; private set; } = null!;

    public async Task StartAsync(bool allowLoopback = true, Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var values = new Dictionary<string, string?>(FastRetries) { ["Webhooks:AllowLoopback"] = allowLoopback ? "true" : "false" };
        foreach (var (key, value) in (settings ?? new Dictionary<string, string?>()).Concat(extra ?? new Dictionary<string, string?>()))
        {
            values[key] = value;
        }

        (Shop, Clock) = await WebhookTests.StartAsync(
            storage,
            values,
            services =>
            {
                if (!allowLoopback)
                {
                    services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(Resolver));
                }

                configure?.Invoke(services);
            });
    }

    /// <summary>A new app on the same storage, the receivers kept.</summary>
    public async Task RestartAsync(bool allowLoopback, Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        await Shop.DisposeAsync();
        await StartAsync(allowLoopback, configure, extra);
    }

    public async Task<WebhookReceiver> ReceiverAsync(params ReceiverReply[] script)
    {
        var receiver = await WebhookReceiver.StartAsync(script);
        _receivers.Add(receiver);
        return receiver;
    }

    /// <summary>Disposes the app and every receiver (the test class's <c>DisposeAsync</c>).</summary>
    public async Task StopAsync()
    {
        await Shop.DisposeAsync();
        foreach (var receiver in _receivers)
        {
            await receiver.DisposeAsync();
        }
    }
}
