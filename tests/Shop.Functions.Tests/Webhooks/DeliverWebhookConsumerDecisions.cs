using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// The <c>deliver-webhook</c> trigger's decisions on each sender outcome (the HTTP side is scripted here; the tests
/// against a real receiver are in DeliverWebhookConsumerAgainstAReceiver): the log, the subscription's status and
/// the settlement.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeliverWebhookConsumerDecisions(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Url = "http://127.0.0.1:9/hook";

    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private readonly ScriptedWebhookSender _sender = new();
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;

    public async Task InitializeAsync() =>
        (_shop, _clock) = await WebhookTests.StartAsync(
            azurite.ConnectionString,
            configure: services => services.Replace(ServiceDescriptor.Singleton<IWebhookSender>(_sender)));

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task PostsTheSignedEventAndLogsItDeliveredGivenTheEndpointAccepts()
    {
        var (id, secret) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var post = Assert.Single(_sender.Posts);
        Assert.Equal((new Uri(Url), command.DeliveryId, _clock.Now), (post.Url, post.WebhookId, post.Timestamp));
        Assert.Equal([secret], post.Secrets);
        Assert.Equal(command.Event.Id, JsonDocument.Parse(post.Body).RootElement.GetProperty("id").GetString());
        Assert.Equal("1.0", JsonDocument.Parse(post.Body).RootElement.GetProperty("specversion").GetString());
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 1, 200), (row.Status, row.AttemptCount, row.LastStatusCode));
        Assert.Equal(_clock.Now, row.DeliveredAt);
        Assert.Null(row.LeaseUntil);
        Assert.Equal(_clock.Now, (await WebhookTests.SubscriptionAsync(_shop, id)).LastDeliveredAt);
    }

    [Fact]
    public async Task RewritesTheSubscriptionAtMostOnceAMinuteGivenSuccessfulDeliveries()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id)));
        var first = await WebhookTests.SubscriptionAsync(_shop, id);

        _clock.Advance(TimeSpan.FromSeconds(59));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id)));
        var second = await WebhookTests.SubscriptionAsync(_shop, id);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id)));
        var third = await WebhookTests.SubscriptionAsync(_shop, id);

        Assert.Equal(3, _sender.Posts.Count);
        Assert.Equal(first.ETag, second.ETag);
        Assert.Equal(first.LastDeliveredAt, second.LastDeliveredAt);
        Assert.NotEqual(second.ETag, third.ETag);
        Assert.Equal(_clock.Now, third.LastDeliveredAt);
    }

    [Fact]
    public async Task PostsOnceGivenTheSameCommandTwice()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var first = WebhookEvents.Received(command);
        var second = WebhookEvents.Received(command);

        await ConsumeAsync(first);
        await ConsumeAsync(second);

        Assert.Single(_sender.Posts);
        _actions.Verify(a => a.CompleteMessageAsync(first, It.IsAny<CancellationToken>()), Times.Once);
        _actions.Verify(a => a.CompleteMessageAsync(second, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptAndLogsItGivenTheEndpointFails()
    {
        _sender.Then(WebhookPostStatus.Failed);
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var retry = Assert.Single(_shop.Sender.Sent);
        Assert.Equal((Queues.DeliverWebhook, $"{command.DeliveryId}#retry2"), (retry.Destination, retry.MessageId));
        Assert.InRange(retry.ScheduledEnqueueTime!.Value - _clock.Now, TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal((WebhookDeliveryStatuses.Retrying, 2, 503), (row.Status, row.AttemptCount, row.LastStatusCode));
        Assert.Equal(_clock.Now + TimeSpan.FromMinutes(1), row.NextAttemptAt);
        Assert.Equal(WebhookStatuses.Active, (await WebhookTests.SubscriptionAsync(_shop, id)).Status);
    }

    [Fact]
    public async Task DeadLettersAndMarksTheSubscriptionFailingGivenTheLastAttemptFails()
    {
        _sender.Then(WebhookPostStatus.Failed);
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var last = ServiceBusMessages.Received(
            command.ToMessage().Body, nameof(DeliverWebhook), $"{command.DeliveryId}#retry8", command.Event.Data.OrderId,
            new Dictionary<string, object> { [RetryProperties.Attempt] = 8, [RetryProperties.OriginalMessageId] = command.DeliveryId });

        await ConsumeAsync(last);

        _actions.VerifyDeadLettered(last, DeadLetterReasons.RetriesExhausted, "503 Service Unavailable");
        Assert.Empty(_shop.Sender.Sent);
        Assert.Equal(WebhookDeliveryStatuses.Failed, (await WebhookEvents.LogAsync(_shop, id, command.DeliveryId)).Status);
        var subscription = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal(WebhookStatuses.Failing, subscription.Status);
        Assert.Contains(command.DeliveryId, subscription.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MakesAFailingSubscriptionActiveAgainOnTheNextDelivery()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        await _shop.Get<WebhookSubscriptionStore>().MarkFailingAsync(id, "earlier failure", CancellationToken.None);

        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id)));

        var subscription = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal((WebhookStatuses.Active, null), (subscription.Status, subscription.StatusReason));
    }

    [Fact]
    public async Task ReschedulesWithoutAttemptsGivenTheCircuitIsOpen()
    {
        _sender.Then(WebhookPostStatus.Deferred);
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal($"{command.DeliveryId}#retry2", Assert.Single(_shop.Sender.Sent).MessageId);
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal((WebhookDeliveryStatuses.Deferred, 0), (row.Status, row.AttemptCount));
        Assert.Contains("circuit", row.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisablesTheSubscriptionGivenGoneAndDeliversNothingMore()
    {
        _sender.Then(WebhookPostStatus.Gone);
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var first = WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.OrderAccepted));

        await ConsumeAsync(first);
        var next = WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.StockReserved));
        await ConsumeAsync(next);

        _actions.Verify(a => a.CompleteMessageAsync(first, It.IsAny<CancellationToken>()), Times.Once);
        _actions.Verify(a => a.CompleteMessageAsync(next, It.IsAny<CancellationToken>()), Times.Once);
        Assert.Single(_sender.Posts);
        Assert.Empty(_shop.Sender.Sent);
        var subscription = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal(WebhookStatuses.Disabled, subscription.Status);
        Assert.Contains("410", subscription.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeadLettersAtOnceAndMarksFailingGivenTheGuardRefusesTheAddress()
    {
        _sender.Then(WebhookPostStatus.Refused);
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "private address");
        Assert.Equal(WebhookDeliveryStatuses.Refused, (await WebhookEvents.LogAsync(_shop, id, command.DeliveryId)).Status);
        Assert.Equal(WebhookStatuses.Failing, (await WebhookTests.SubscriptionAsync(_shop, id)).Status);
    }

    [Fact]
    public async Task CompletesWithoutPostingGivenTheSubscriptionWasDeleted()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var message = WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id));
        await _shop.Get<WebhookSubscriptionStore>().DeleteAsync(id, CancellationToken.None);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Empty(_sender.Posts);
    }

    [Fact]
    public async Task PostsARedeliveryRoundAgainButNotAStaleRound()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        await ConsumeAsync(WebhookEvents.Received(command));

        await ConsumeAsync(WebhookEvents.Received(command with { Round = 1 }));
        await ConsumeAsync(WebhookEvents.Received(command));
        await ConsumeAsync(WebhookEvents.Received(command with { Round = 1 }));

        Assert.Equal(2, _sender.Posts.Count);
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal((WebhookDeliveryStatuses.Delivered, 1, 2), (row.Status, row.Round, row.AttemptCount));
        Assert.Equal([0, 1], row.GetAttempts().Select(a => a.Round));
    }

    [Fact]
    public async Task RetriesLaterWithoutPostingGivenAnotherCopyHoldsTheLease()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, Url, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        await _shop.Get<WebhookDeliveryLog>().ClaimAsync(command, Url, _clock.Now, TimeSpan.FromMinutes(2), CancellationToken.None);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        Assert.Empty(_sender.Posts);
        Assert.Equal($"{command.DeliveryId}#retry2", Assert.Single(_shop.Sender.Sent).MessageId);

        _clock.Advance(TimeSpan.FromMinutes(3));
        await ConsumeAsync(WebhookEvents.Received(command));
        Assert.Single(_sender.Posts);
    }

    [Fact]
    public async Task SignsCallbacksWithTheSecretTheOrderWasGiven()
    {
        var order = await WebhookEvents.AddOrderAsync(_shop, callbackUrl: "http://127.0.0.1:9/callback");
        var command = DeliverWebhook.ForCallback(order.CallbackUrl!, WebhookEvents.Event(OrderEventTypes.OrderAccepted, order.OrderId));

        await ConsumeAsync(WebhookEvents.Received(command));

        var post = Assert.Single(_sender.Posts);
        Assert.Equal(new Uri("http://127.0.0.1:9/callback"), post.Url);
        Assert.Equal([_shop.Get<CallbackSecrets>().For(order.OrderId)], post.Secrets);
        Assert.StartsWith("whsec_", post.Secrets[0], StringComparison.Ordinal);
        Assert.Equal(WebhookDeliveryStatuses.Delivered, (await WebhookEvents.LogAsync(_shop, $"callback-{order.OrderId}", command.DeliveryId)).Status);
    }

    [Theory]
    [InlineData("""{"deliveryId":"dlv_x","subscriptionId":"whk_aaaaaaaaaaaaaaaaaaaaaaaaaa","event":{"id":"a","type":"OrderAccepted","subject":"ord_1","time":"2031-01-01T00:00:00Z","data":{"orderId":"ord_1","sequence":1,"status":"Accepted"}}}""", "deliveryId")]
    [InlineData("""{"deliveryId":"dlv_0000000000000000001_aaaaaaaaaaaaaaaaaaaa","subscriptionId":"callback","event":{"id":"a","type":"OrderAccepted","subject":"ord_1","time":"2031-01-01T00:00:00Z","data":{"orderId":"ord_1","sequence":1,"status":"Accepted"}}}""", "callbackUrl")]
    [InlineData("""{"deliveryId":"dlv_0000000000000000001_aaaaaaaaaaaaaaaaaaaa","subscriptionId":"../etc","event":{"id":"a","type":"OrderAccepted","subject":"ord_1","time":"2031-01-01T00:00:00Z","data":{"orderId":"ord_1","sequence":1,"status":"Accepted"}}}""", "subscriptionId")]
    public async Task DeadLettersValidationFailedGivenAnInvalidCommand(string body, string describedAs)
    {
        var message = ServiceBusMessages.Received(body, nameof(DeliverWebhook), "dlv-test", "ord_1");

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, describedAs);
        Assert.Empty(_sender.Posts);
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(message, _actions.Object, CancellationToken.None);
}
