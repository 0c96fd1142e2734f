using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders.Watchdog;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.FanOut;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Issue 14: the fan-out reads the Webhooks partition once per <see cref="WebhookOptions.SubscriptionCacheTtl"/>, not
/// once per event; a subscription another instance registers is seen once the TTL has passed, one registered, rotated
/// or deleted on this instance at once. Reads are counted by a pipeline policy on the app's Table client.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutWebhooksConsumerSubscriptionCache(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = new WebhookOptions().SubscriptionCacheTtl;

    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private readonly TableRequestLog _requests = new();
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;

    public async Task InitializeAsync() =>
        (_shop, _clock) = await WebhookTests.StartAsync(azurite.ConnectionString, configure: _requests.Install);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task ReadsTheSubscriptionsOnceForManyEventsWithinTheTtl()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        _requests.Clear();

        for (var sequence = 1; sequence <= 10; sequence++)
        {
            await ConsumeAsync(OrderEventTypes.OrderAccepted, order.OrderId, sequence);
            _clock.Advance(Ttl / 20);
        }

        Assert.Equal(1, WebhookReads());
        Assert.Equal(10, WebhookEvents.Commands(_shop).Count(c => c.SubscriptionId == id));
    }

    [Fact]
    public async Task SeesASubscriptionAnotherInstanceAddedOnceTheTtlHasPassed()
    {
        var (first, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/first", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        await ConsumeAsync(OrderEventTypes.OrderAccepted, order.OrderId, 1);

        // Another instance registers: this one's store is not told.
        var second = WebhookIds.NewSubscriptionId();
        await _shop.Tables.GetTableClient(StorageTables.Webhooks).AddEntityAsync(
            new WebhookSubscriptionRow { RowKey = second, Url = "http://127.0.0.1:9/second", EventTypes = "*", Secret = "whsec_test", CreatedAt = _clock.Now });
        await ConsumeAsync(OrderEventTypes.StockReserved, order.OrderId, 2);
        _clock.Advance(Ttl);
        await ConsumeAsync(OrderEventTypes.PaymentCaptured, order.OrderId, 3);

        var commands = WebhookEvents.Commands(_shop);
        Assert.Equal([first], commands.Where(c => c.Event.Type == OrderEventTypes.StockReserved).Select(c => c.SubscriptionId));
        Assert.Equal(
            new[] { first, second }.Order(StringComparer.Ordinal),
            commands.Where(c => c.Event.Type == OrderEventTypes.PaymentCaptured).Select(c => c.SubscriptionId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SeesRegistrationAndDeletionOnThisInstanceAtOnce()
    {
        var (first, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/first", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        await ConsumeAsync(OrderEventTypes.OrderAccepted, order.OrderId, 1);

        var (second, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/second", "*");
        await ConsumeAsync(OrderEventTypes.StockReserved, order.OrderId, 2);
        Assert.True(await _shop.Get<WebhookSubscriptionStore>().DeleteAsync(first, CancellationToken.None));
        await ConsumeAsync(OrderEventTypes.PaymentCaptured, order.OrderId, 3);

        var commands = WebhookEvents.Commands(_shop);
        Assert.Equal(
            new[] { first, second }.Order(StringComparer.Ordinal),
            commands.Where(c => c.Event.Type == OrderEventTypes.StockReserved).Select(c => c.SubscriptionId).Order(StringComparer.Ordinal));
        Assert.Equal([second], commands.Where(c => c.Event.Type == OrderEventTypes.PaymentCaptured).Select(c => c.SubscriptionId));
    }

    [Fact]
    public async Task ReadsForEveryEventGivenATtlOfZero()
    {
        await using var uncached = (await WebhookTests.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Webhooks:SubscriptionCacheTtl"] = "00:00:00" },
            _requests.Install)).Shop;
        await WebhookTests.RegisterAsync(uncached, "http://127.0.0.1:9/all", "*");
        var order = await WebhookEvents.AddOrderAsync(uncached);
        _requests.Clear();

        for (var sequence = 1; sequence <= 3; sequence++)
        {
            await uncached.Function<FanOutWebhooksConsumer>().FanOutWebhooks(
                WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId, sequence)), _actions.Object, CancellationToken.None);
        }

        Assert.Equal(3, WebhookReads());
    }

    private int WebhookReads() =>
        _requests.Requests.Count(r => r.Method == "GET" && r.Path.Contains($"/{StorageTables.Webhooks}()", StringComparison.Ordinal));

    private Task ConsumeAsync(string eventType, string orderId, long sequence) =>
        _shop.Function<FanOutWebhooksConsumer>().FanOutWebhooks(
            WebhookEvents.Received(WebhookEvents.Event(eventType, orderId, sequence)), _actions.Object, CancellationToken.None);
}
