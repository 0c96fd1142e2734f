using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Delivery;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Registration and the <c>deliver-webhook</c> consumer with the app's real sender, posting to a real HTTP receiver
/// on 127.0.0.1 (issue 5's acceptance): signatures, retries, redelivery schedule, circuit breaker, 410, SSRF, duplicates.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeliverWebhookConsumerAgainstAReceiver(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private readonly ReceiverTestHost _host = new(azurite.ConnectionString, new Dictionary<string, string?> { ["Webhooks:CircuitBreakerMinimumThroughput"] = "4" });

    private ShopTestServices _shop => _host.Shop;

    private ManualClock _clock => _host.Clock;

    private ScriptedHostResolver _resolver => _host.Resolver;

    public Task InitializeAsync() => _host.StartAsync();

    public Task DisposeAsync() => _host.StopAsync();

    [Fact]
    public async Task DeliversOnceOnTheThirdAttemptGivenTheReceiverAnswers500Twice()
    {
        var receiver = await ReceiverAsync(ReceiverReply.Status(500), ReceiverReply.Status(500), ReceiverReply.Status(200));
        var (id, secret) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal(3, receiver.RequestCount);
        Assert.All(receiver.Requests, request => Assert.True(WebhookDeliveryTest.IsSignedWith(request, secret)));
        Assert.All(receiver.Requests, request => Assert.Equal(command.DeliveryId, request.Header("webhook-id")));
        Assert.Equal(command.Event.Id, JsonDocument.Parse(receiver.Requests[0].Body).RootElement.GetProperty("id").GetString());
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal(WebhookDeliveryStatuses.Delivered, row.Status);
        Assert.Equal([500, 500, 200], row.GetAttempts().Select(a => a.StatusCode));
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains($"{command.DeliveryId} of OrderAccepted delivered after 3 attempts", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostsOnceGivenTheSameCommandTwice()
    {
        var receiver = await ReceiverAsync();
        var (id, _) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);

        await ConsumeAsync(WebhookEvents.Received(command));
        await ConsumeAsync(WebhookEvents.Received(command));

        Assert.Equal(1, receiver.RequestCount);
    }

    [Fact]
    public async Task SignsWithBothSecretsDuringTheGracePeriodAndOnlyTheNewOneAfter()
    {
        var receiver = await ReceiverAsync();
        var (id, oldSecret) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");
        var newSecret = (await _shop.Get<WebhookSubscriptionStore>().RotateSecretAsync(id, WebhookSignatures.GenerateSecret(), TimeSpan.FromHours(24), CancellationToken.None))!.Secret;

        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.OrderAccepted)));
        _clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.StockReserved)));

        var (during, after) = (receiver.Requests[0], receiver.Requests[1]);
        Assert.Equal(2, during.Header("webhook-signature").Split(' ').Length);
        Assert.True(WebhookDeliveryTest.IsSignedWith(during, newSecret));
        Assert.True(WebhookDeliveryTest.IsSignedWith(during, oldSecret));
        Assert.True(WebhookDeliveryTest.IsSignedWith(after, newSecret));
        Assert.False(WebhookDeliveryTest.IsSignedWith(after, oldSecret));
        Assert.Equal(_clock.Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), after.Header("webhook-timestamp"));
    }

    [Fact]
    public async Task ReschedulesOnTheBackoffScheduleThenDeadLettersAndMarksTheSubscriptionFailingGivenTheReceiverIsDown()
    {
        var (id, _) = await WebhookTests.RegisterAsync(_shop, $"http://127.0.0.1:{WebhookReceiver.ClosedPort()}/hooks", "*");
        var command = await WebhookEvents.CommandAsync(_shop, id);
        var message = WebhookEvents.Received(command);
        var delays = new List<TimeSpan>();

        for (var attempt = 1; attempt < 8; attempt++)
        {
            await ConsumeAsync(message);
            var copy = _shop.Sender.Sent.Last();
            delays.Add(copy.ScheduledEnqueueTime!.Value - _clock.Now);
            _clock.Now = copy.ScheduledEnqueueTime.Value;
            message = ServiceBusMessages.Received(copy);
        }

        await ConsumeAsync(message);

        Assert.Equal(7, _shop.Sender.Sent.Count);
        var expected = new[] { 1, 5, 15, 60, 180, 360, 720 }.Select(minutes => TimeSpan.FromMinutes(minutes)).ToList();
        Assert.All(expected.Zip(delays), pair => Assert.InRange(pair.Second, pair.First * 0.8, pair.First * 1.2));
        _actions.Verify(a => a.DeadLetterMessageAsync(message, null, DeadLetterReasons.RetriesExhausted, It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Once);
        var subscription = await WebhookTests.SubscriptionAsync(_shop, id);
        Assert.Equal(WebhookStatuses.Failing, subscription.Status);
        var row = await WebhookEvents.LogAsync(_shop, id, command.DeliveryId);
        Assert.Equal(WebhookDeliveryStatuses.Failed, row.Status);
        Assert.True(row.AttemptCount >= 8, $"{row.AttemptCount} attempts logged");
        Assert.All(row.GetAttempts(), a => Assert.Null(a.StatusCode));
    }

    [Fact]
    public async Task DefersWithoutConnectingOnceTheCircuitForTheHostIsOpen()
    {
        var failing = await ReceiverAsync();
        failing.Default = ReceiverReply.Status(503);
        var healthy = await ReceiverAsync();
        var (failingId, _) = await WebhookTests.RegisterAsync(_shop, failing.Url.AbsoluteUri, "*");
        var (healthyId, _) = await WebhookTests.RegisterAsync(_shop, healthy.Url.AbsoluteUri, "*");
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, failingId)));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, failingId)));
        var requestsWhenOpen = failing.RequestCount;
        Assert.Equal(4, requestsWhenOpen); // the breaker opened at the 4th failure, during the second delivery's quick retries

        var deferred = await WebhookEvents.CommandAsync(_shop, failingId);
        await ConsumeAsync(WebhookEvents.Received(deferred));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, healthyId)));

        Assert.Equal(requestsWhenOpen, failing.RequestCount);
        Assert.Equal(1, healthy.RequestCount);
        var row = await WebhookEvents.LogAsync(_shop, failingId, deferred.DeliveryId);
        Assert.Equal((WebhookDeliveryStatuses.Deferred, 0), (row.Status, row.AttemptCount));
        Assert.Equal($"{deferred.DeliveryId}#retry2", _shop.Sender.Sent.Last(m => m.MessageId.StartsWith(deferred.DeliveryId, StringComparison.Ordinal)).MessageId);
    }

    [Fact]
    public async Task DisablesTheSubscriptionGivenTheReceiverAnswers410()
    {
        var receiver = await ReceiverAsync(ReceiverReply.Status(410));
        var (id, _) = await WebhookTests.RegisterAsync(_shop, receiver.Url.AbsoluteUri, "*");

        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.OrderAccepted)));
        await ConsumeAsync(WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id, OrderEventTypes.StockReserved)));

        Assert.Equal(1, receiver.RequestCount);
        Assert.Equal(WebhookStatuses.Disabled, (await WebhookTests.SubscriptionAsync(_shop, id)).Status);
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://10.0.0.1/hook")]
    [InlineData("https://172.16.0.1/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://internal.example/hook")]
    [InlineData("https://localhost/hook")]
    public async Task RefusesARegistrationThatPointsInside(string url)
    {
        await RestartAsync(allowLoopback: false);
        _resolver.Answer("internal.example", "10.0.0.1");
        _resolver.Answer("localhost", "127.0.0.1,::1");

        var response = await WebhookTests.RegisterAsync(_shop, WebhookTests.Registration(url, "*"));

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("url", out _));
        Assert.Empty(await _shop.Get<WebhookSubscriptionStore>().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RefusesAtConnectTimeAHostThatNowResolvesInside()
    {
        await RestartAsync(allowLoopback: false);
        var receiver = await ReceiverAsync();
        _resolver.Answer("rebind.example", "93.184.216.34", "127.0.0.1");
        var (id, _) = await WebhookTests.RegisterAsync(_shop, $"http://rebind.example:{receiver.Port}/hooks", "*");
        var message = WebhookEvents.Received(await WebhookEvents.CommandAsync(_shop, id));

        await ConsumeAsync(message);

        Assert.Equal(0, receiver.RequestCount);
        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "127.0.0.1");
        Assert.Equal(WebhookStatuses.Failing, (await WebhookTests.SubscriptionAsync(_shop, id)).Status);
    }

    private Task RestartAsync(bool allowLoopback) => _host.RestartAsync(allowLoopback);

    private Task<WebhookReceiver> ReceiverAsync(params ReceiverReply[] script) => _host.ReceiverAsync(script);

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(message, _actions.Object, CancellationToken.None);
}
