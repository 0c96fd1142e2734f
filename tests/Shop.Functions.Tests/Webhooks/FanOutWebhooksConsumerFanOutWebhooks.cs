using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.FanOut;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>The <c>order-events/webhooks</c> trigger: one DeliverWebhook per wanting subscription and the order's callback.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutWebhooksConsumerFanOutWebhooks(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task SendsOneCommandPerSubscriptionThatWantsTheTypeAndOneToTheCallback()
    {
        var completed = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/completed", OrderEventTypes.OrderCompleted);
        var everything = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/failed", OrderEventTypes.OrderFailed);
        var disabled = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/gone", "*");
        await _shop.Get<WebhookSubscriptionStore>().DisableAsync(disabled.Id, "410", CancellationToken.None);
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var orderEvent = WebhookEvents.Event(OrderEventTypes.OrderCompleted, order.OrderId);
        var message = WebhookEvents.Received(orderEvent);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var sent = _shop.Sender.Sent.ToList();
        Assert.All(sent, m => Assert.Equal((Queues.DeliverWebhook, nameof(DeliverWebhook), order.OrderId), (m.Destination, m.Subject, m.CorrelationId)));
        var commands = sent.Select(WebhookEvents.Read).ToList();
        Assert.Equal(
            new[] { completed.Id, everything.Id, DeliverWebhook.CallbackTarget }.Order(),
            commands.Select(c => c.SubscriptionId).Order());
        Assert.All(commands, c => Assert.Equal(orderEvent, c.Event, new EventComparer()));
        Assert.Equal("http://127.0.0.1:9/callback", commands.Single(c => c.IsCallback).CallbackUrl);
        Assert.All(commands.Where(c => !c.IsCallback), c => Assert.Null(c.CallbackUrl));
        Assert.Equal(sent.Select(m => m.MessageId), commands.Select(c => c.DeliveryId));
        Assert.Equal(3, commands.Select(c => c.DeliveryId).Distinct().Count());
    }

    [Fact]
    public async Task DeliversTheCarriersShipmentCancelledToSubscriptionsThatWantItAndTheCallback()
    {
        var cancelled = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/cancelled", OrderEventTypes.ShipmentCancelled);
        var everything = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/dispatched", OrderEventTypes.ShipmentDispatched);
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.ShipmentCancelled, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal(
            new[] { cancelled.Id, everything.Id, DeliverWebhook.CallbackTarget }.Order(),
            _shop.Sender.Sent.Select(WebhookEvents.Read).Select(c => c.SubscriptionId).Order());
    }

    [Fact]
    public async Task SendsTheSameDeliveryIdsGivenTheSameEventTwice()
    {
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var orderEvent = WebhookEvents.Event(OrderEventTypes.PaymentCaptured, order.OrderId);

        await ConsumeAsync(WebhookEvents.Received(orderEvent));
        await ConsumeAsync(WebhookEvents.Received(orderEvent));

        var ids = _shop.Sender.Sent.Select(m => m.MessageId).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal(ids[..2], ids[2..]);
    }

    [Fact]
    public async Task GivesEachEventOfAnOrderItsOwnDeliveryIdNewestFirstInKeyOrder()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);

        await ConsumeAsync(WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.StockReserved, order.OrderId, sequence: 2)));
        await ConsumeAsync(WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.PaymentCaptured, order.OrderId, sequence: 3)));

        var ids = WebhookEvents.Commands(_shop).Select(c => c.DeliveryId).ToList();
        Assert.All(ids, deliveryId => Assert.Matches("^dlv_[0-9]{19}_[a-z2-7]{20}$", deliveryId));
        Assert.True(string.CompareOrdinal(ids[1], ids[0]) < 0, "the later event sorts first");
    }

    [Fact]
    public async Task SendsNothingGivenNoSubscriptionAndNoCallback()
    {
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenAnEventWhoseSubjectIsNotItsOrder()
    {
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId) with { Subject = "ord_other" });

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "subject");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task SchedulesARetryGivenTheSendFails()
    {
        await WebhookTests.RegisterAsync(_shop, "http://127.0.0.1:9/all", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));
        _shop.Sender.FailWhen = m => m.Destination == Queues.DeliverWebhook;

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var retry = Assert.Single(_shop.Sender.Sent);
        Assert.Equal(Topics.OrderEvents, retry.Destination);
        Assert.Equal(Subscriptions.Webhooks, retry.ApplicationProperties![RetryProperties.RetryFor]);
    }

    private Task ConsumeAsync(Azure.Messaging.ServiceBus.ServiceBusReceivedMessage message) =>
        _shop.Function<FanOutWebhooksConsumer>().FanOutWebhooks(message, _actions.Object, CancellationToken.None);

    private sealed class EventComparer : IEqualityComparer<OrderEvent>
    {
        public bool Equals(OrderEvent? x, OrderEvent? y) =>
            x is not null && y is not null && (x.Id, x.Type, x.Subject, x.Time, x.Data.OrderId, x.Data.Sequence) == (y.Id, y.Type, y.Subject, y.Time, y.Data.OrderId, y.Data.Sequence);

        public int GetHashCode(OrderEvent obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
