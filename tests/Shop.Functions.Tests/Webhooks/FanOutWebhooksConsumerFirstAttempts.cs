using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.FanOut;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// The fan-out posts each delivery's first attempt itself (issue 14: no <c>DeliverWebhook</c> for a delivery that goes
/// through), against real HTTP receivers on 127.0.0.1; what that post does not settle goes to the <c>deliver-webhook</c>
/// queue as its second attempt, and the queue's consumer carries it on.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutWebhooksConsumerFirstAttempts(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private readonly ReceiverTestHost _host = new(azurite.ConnectionString);

    private ShopTestServices _shop => _host.Shop;

    private ManualClock _clock => _host.Clock;

    public Task InitializeAsync() => _host.StartAsync();

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task PostsEveryDeliveryItselfAndSendsNoCommandGivenReceiversThatAnswer200()
    {
        var all = await ReceiverAsync();
        var completed = await ReceiverAsync();
        var callback = await ReceiverAsync();
        var (allId, allSecret) = await WebhookTests.RegisterAsync(_shop, all.Url.AbsoluteUri, "*");
        var (completedId, _) = await WebhookTests.RegisterAsync(_shop, completed.Url.AbsoluteUri, OrderEventTypes.OrderCompleted);
        await WebhookTests.RegisterAsync(_shop, completed.Url.AbsoluteUri, OrderEventTypes.OrderFailed);
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: callback.Url.AbsoluteUri);
        var orderEvent = WebhookEvents.Event(OrderEventTypes.OrderCompleted, order.OrderId);
        var message = WebhookEvents.Received(orderEvent);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Empty(_shop.Sender.Sent);
        Assert.Equal((1, 1, 1), (all.RequestCount, completed.RequestCount, callback.RequestCount));
        var expected = DeliverWebhook.ForSubscription(allId, orderEvent);
        Assert.Equal(expected.DeliveryId, all.Requests[0].Header("webhook-id"));
        Assert.True(WebhookDeliveryTest.IsSignedWith(all.Requests[0], allSecret));
        Assert.Equal(orderEvent.Id, JsonDocument.Parse(all.Requests[0].Body).RootElement.GetProperty("id").GetString());
        Assert.Equal(WebhookDeliveryStatuses.Delivered, (await WebhookEvents.LogAsync(_shop, allId, expected.DeliveryId)).Status);
        var completedDelivery = DeliverWebhook.ForSubscription(completedId, orderEvent).DeliveryId;
        Assert.Equal(WebhookDeliveryStatuses.Delivered, (await WebhookEvents.LogAsync(_shop, completedId, completedDelivery)).Status);
        var callbackDelivery = DeliverWebhook.ForCallback(callback.Url.AbsoluteUri, orderEvent);
        Assert.Equal(WebhookDeliveryStatuses.Delivered, (await WebhookEvents.LogAsync(_shop, callbackDelivery.LogPartition, callbackDelivery.DeliveryId)).Status);
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains("settled by the fan-out for 3 webhook deliveries, queued as DeliverWebhook for 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostsOnceGivenTheSameEventTwice()
    {
        var receiver = await ReceiverAsync();
        await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var orderEvent = WebhookEvents.Event(OrderEventTypes.PaymentCaptured, order.OrderId);

        await ConsumeAsync(WebhookEvents.Received(orderEvent));
        await ConsumeAsync(WebhookEvents.Received(orderEvent));

        Assert.Equal(1, receiver.RequestCount);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task QueuesTheSecondAttemptForTheFirstRedeliveryDelayAndTheQueueDeliversItGivenTheReceiverFailsFirst()
    {
        var receiver = await ReceiverAsync(ReceiverReply.Status(500), ReceiverReply.Status(503), ReceiverReply.Status(500));
        var (id, _) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var orderEvent = WebhookEvents.Event(OrderEventTypes.StockReserved, order.OrderId);
        var message = WebhookEvents.Received(orderEvent);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal(3, receiver.RequestCount);
        var sent = Assert.Single(_shop.Sender.Sent);
        var command = WebhookEvents.Read(sent);
        Assert.Equal((Queues.DeliverWebhook, nameof(DeliverWebhook), command.DeliveryId, id), (sent.Destination, sent.Subject, sent.MessageId, command.SubscriptionId));
        Assert.Equal(2, sent.ApplicationProperties![RetryProperties.Attempt]);
        // The first redelivery delay (1 min), with the schedule's jitter of up to 20% either way.
        var delay = sent.ScheduledEnqueueTime!.Value - _clock.GetUtcNow();
        Assert.InRange(delay, TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal(WebhookDeliveryStatuses.Retrying, row.Status);
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), row.NextAttemptAt);

        // The queue's consumer takes it as attempt 2 of the schedule: it fails again, so attempt 3 follows the second
        // delay (5 min), not the first.
        _clock.Advance(delay);
        receiver.Default = ReceiverReply.Status(502);
        var second = ServiceBusMessages.Received(sent);
        await ConsumeCommandAsync(second);

        var third = Assert.Single(_shop.Sender.Sent.Skip(1));
        Assert.Equal(($"{command.DeliveryId}#retry3", 3), (third.MessageId, third.ApplicationProperties![RetryProperties.Attempt]));
        Assert.InRange(third.ScheduledEnqueueTime!.Value - _clock.GetUtcNow(), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6));

        receiver.Default = ReceiverReply.Status(200);
        await ConsumeCommandAsync(ServiceBusMessages.Received(third));

        Assert.Equal(7, receiver.RequestCount);
        Assert.All(receiver.Requests, request => Assert.Equal(command.DeliveryId, request.Header("webhook-id")));
        row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal(WebhookDeliveryStatuses.Delivered, row.Status);
        Assert.Equal([500, 503, 500, 502, 502, 502, 200], row.GetAttempts().Select(a => a.StatusCode));
    }

    [Fact]
    public async Task QueuesADeliveryAtOnceAndTheQueueDeadLettersItGivenADestinationTheGuardRefuses()
    {
        await _host.RestartAsync(allowLoopback: false);
        var receiver = await ReceiverAsync();
        _host.Resolver.Answer("rebind.example", "93.184.216.34", "127.0.0.1");
        var (id, _) = await WebhookTests.RegisterAsync(_shop, $"http://rebind.example:{receiver.Port}/hooks", "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal(0, receiver.RequestCount);
        var sent = Assert.Single(_shop.Sender.Sent);
        Assert.Null(sent.ScheduledEnqueueTime);
        Assert.Equal(WebhookStatuses.Failing, (await WebhookTests.SubscriptionAsync(_shop, id)).Status);

        var queued = ServiceBusMessages.Received(sent);
        var queueActions = await ConsumeCommandAsync(queued);

        queueActions.VerifyDeadLettered(queued, DeadLetterReasons.ValidationFailed, "127.0.0.1");
        Assert.Equal(0, receiver.RequestCount);
    }

    [Fact]
    public async Task QueuesTheSecondAttemptGivenTheDeliveryLogCannotBeWrittenAndPostsNothing()
    {
        var faults = new TransportFaults();
        await _host.RestartAsync(allowLoopback: true, faults.Install);
        var receiver = await ReceiverAsync();
        var (id, _) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var order = await WebhookEvents.AddOrderAsync(_shop);
        var message = WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));
        // The claim's insert meets an outage that outlasts the SDK's retries.
        var outage = faults.FailFor(StorageRequest.WritesTo(StorageTables.WebhookDeliveries), TimeSpan.FromMinutes(5));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.True(outage.Injected >= 4, $"{outage.Injected} claims met the outage");
        Assert.Equal(0, receiver.RequestCount);
        var sent = Assert.Single(_shop.Sender.Sent);
        Assert.Equal((Queues.DeliverWebhook, 2), (sent.Destination, sent.ApplicationProperties![RetryProperties.Attempt]));
        Assert.True(sent.ScheduledEnqueueTime > _clock.GetUtcNow());
        Assert.Equal(id, WebhookEvents.Read(sent).SubscriptionId);
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains("the fan-out's first attempt failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostsTheFirstDeliveriesUpToTheLimitAndSendsTheRestAsCommandsAtOnce()
    {
        await _host.RestartAsync(allowLoopback: true, extra: new Dictionary<string, string?> { ["Webhooks:FanOutPostLimit"] = "1" });
        var receiver = await ReceiverAsync();
        await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: receiver.Url.AbsoluteUri);
        var orderEvent = WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId);

        await ConsumeAsync(WebhookEvents.Received(orderEvent));

        Assert.Equal(1, receiver.RequestCount);
        var sent = Assert.Single(_shop.Sender.Sent);
        Assert.Null(sent.ScheduledEnqueueTime);
        Assert.Null(sent.ApplicationProperties);
        Assert.NotEqual(receiver.Requests[0].Header("webhook-id"), sent.MessageId);
    }

    [Fact]
    public async Task SendsEveryDeliveryAsACommandGivenALimitOfZero()
    {
        await _host.RestartAsync(allowLoopback: true, extra: new Dictionary<string, string?> { ["Webhooks:FanOutPostLimit"] = "0" });
        var receiver = await ReceiverAsync();
        await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: receiver.Url.AbsoluteUri);

        await ConsumeAsync(WebhookEvents.Received(WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId)));

        Assert.Equal(0, receiver.RequestCount);
        Assert.Equal(2, WebhookEvents.Commands(_shop).Count);
        Assert.All(_shop.Sender.Sent, m => Assert.Null(m.ScheduledEnqueueTime));
    }

    private Task<WebhookReceiver> ReceiverAsync(params ReceiverReply[] script) => _host.ReceiverAsync(script);

    private async Task<Mock<ServiceBusMessageActions>> ConsumeCommandAsync(ServiceBusReceivedMessage message)
    {
        var actions = new Mock<ServiceBusMessageActions>();
        await _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(message, actions.Object, CancellationToken.None);
        return actions;
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<FanOutWebhooksConsumer>().FanOutWebhooks(message, _actions.Object, CancellationToken.None);
}
