using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Shared set-up of the webhook tests: the app against Azurite in its development configuration (http and loopback
/// allowed, so a receiver on 127.0.0.1 can be registered), a clock the test moves, and empty webhook tables (every
/// subscription lives in one partition, so tests would otherwise see each other's).
/// </summary>
public static class WebhookTests
{
    public static readonly DateTimeOffset Start = new(2031, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static async Task<(ShopTestServices Shop, ManualClock Clock)> StartAsync(
        string storage,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var clock = new ManualClock(Start);
        var values = new Dictionary<string, string?>
        {
            ["Webhooks:RequireHttps"] = "false",
            ["Webhooks:AllowLoopback"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var shop = await ShopTestServices.StartAsync(storage, values, services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            configure?.Invoke(services);
        });
        await ClearWebhooksAsync(shop);
        return (shop, clock);
    }

    /// <summary>Deletes every subscription and delivery log row, so a test sees only its own.</summary>
    public static async Task ClearWebhooksAsync(ShopTestServices shop)
    {
        await ClearAsync(shop.Tables.GetTableClient(StorageTables.Webhooks));
        await ClearAsync(shop.Tables.GetTableClient(StorageTables.WebhookDeliveries));
    }

    public static string Registration(string url, params string[] eventTypes) =>
        new JsonObject
        {
            ["url"] = url,
            ["eventTypes"] = new JsonArray([.. eventTypes.Select(type => JsonValue.Create(type))]),
            ["description"] = "test receiver",
        }.ToJsonString();

    public static async Task<TestResponse> RegisterAsync(ShopTestServices shop, string body)
    {
        var request = HttpTest.Request("POST", "/api/webhooks", body);
        return await HttpTest.RunAsync(request, await shop.Function<RegisterWebhookFunction>().RegisterWebhook(request, CancellationToken.None));
    }

    /// <summary>Registers and returns the subscription's id and secret.</summary>
    public static async Task<(string Id, string Secret)> RegisterAsync(ShopTestServices shop, string url, params string[] eventTypes)
    {
        var response = await RegisterAsync(shop, Registration(url, eventTypes));
        if (response.Status != 201)
        {
            throw new InvalidOperationException($"Registration answered {response.Status}: {response.Body}");
        }

        var body = response.Json();
        return (body.GetProperty("id").GetString()!, body.GetProperty("secret").GetString()!);
    }

    public static async Task<WebhookSubscriptionRow> SubscriptionAsync(ShopTestServices shop, string id) =>
        await shop.Get<WebhookSubscriptionStore>().FindAsync(id, CancellationToken.None)
            ?? throw new InvalidOperationException($"No subscription {id}.");

    private static async Task ClearAsync(TableClient table)
    {
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All);
        }
    }
}
