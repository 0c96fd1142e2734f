using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.FanOut;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Issue 14: the fan-out takes the order's callback from the event's <see cref="OrderContact"/> instead of reading the
/// order row, and no receiver gets the contact; an event without it still finds the callback on the row.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutWebhooksConsumerGivenTheContactInTheEvent(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task DeliversToTheEventsCallbackWithoutTheContactAndWithoutReadingTheRow()
    {
        var everything = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        var orderId = OrderIds.NewRandom(); // no order row: the callback can only come from the event
        var contact = new OrderContact("grace@example.com", "Grace Hopper", "http://127.0.0.1:9/callback");
        var message = WebhookEvents.Received(EventFor(orderId, contact));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var commands = _shop.Sender.Sent.Select(WebhookEvents.Read).ToList();
        Assert.Equal(new[] { everything.Id, DeliverWebhook.CallbackTarget }.Order(), commands.Select(c => c.SubscriptionId).Order());
        Assert.Equal("http://127.0.0.1:9/callback", commands.Single(c => c.IsCallback).CallbackUrl);
        Assert.All(commands, c => Assert.Null(c.Event.Data.Contact));
        Assert.All(commands, c => Assert.Equal($"{OrderEventTypes.OrderCompleted}:{orderId}:4", c.Event.Id));
        Assert.All(_shop.Sender.Sent, m => Assert.DoesNotContain("grace@example.com", m.Body.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendsNoCallbackGivenAContactWithoutOne()
    {
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        // The row has a callback, the event says there is none: the event is what the fan-out goes by (it was written with the row).
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var message = WebhookEvents.Received(EventFor(order.OrderId, new OrderContact("grace@example.com", "Grace Hopper")));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.DoesNotContain(_shop.Sender.Sent.Select(WebhookEvents.Read), c => c.IsCallback);
    }

    [Fact]
    public async Task ReadsTheCallbackFromTheRowGivenAnEventWithoutTheContact()
    {
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderCompleted, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal("http://127.0.0.1:9/callback", Assert.Single(_shop.Sender.Sent.Select(WebhookEvents.Read)).CallbackUrl);
    }

    private static OrderEvent EventFor(string orderId, OrderContact contact) =>
        new($"{OrderEventTypes.OrderCompleted}:{orderId}:4", OrderEventTypes.OrderCompleted, orderId, DateTimeOffset.UnixEpoch,
            new OrderEventData(orderId, 4, OrderStatuses.Completed, Contact: contact));

    private Task ConsumeAsync(Azure.Messaging.ServiceBus.ServiceBusReceivedMessage message) =>
        _shop.Function<FanOutWebhooksConsumer>().FanOutWebhooks(message, _actions.Object, CancellationToken.None);
}
