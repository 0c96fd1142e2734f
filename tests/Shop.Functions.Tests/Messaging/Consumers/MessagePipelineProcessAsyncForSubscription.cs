using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>
/// Topic subscriptions: a retry copy goes to the topic, addressed to the one subscription that failed
/// (<see cref="RetryProperties.RetryFor"/>), under an id that no other subscription's copy shares.
/// </summary>
public sealed class MessagePipelineProcessAsyncForSubscription : IDisposable
{
    private const string Body = """{"orderId":"ord_1","quantity":2}""";

    private readonly ConsumerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task SendsSubscriptionCopiesToTheTopicForThatSubscriptionOnly()
    {
        var entity = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Notifications);
        var message = ServiceBusMessages.Received(Body, FakeHandler.Subject, "OrderCompleted:ord_1:7", "ord_1");

        await _harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException()), entity);

        _harness.VerifyCompletedOnly(message);
        var copy = Assert.Single(_harness.Sender.Sent);
        Assert.Equal(Topics.OrderEvents, copy.Destination);
        Assert.Equal(Subscriptions.Notifications, copy.ApplicationProperties![RetryProperties.RetryFor]);
        Assert.Equal("OrderCompleted:ord_1:7", copy.ApplicationProperties[RetryProperties.OriginalMessageId]);
    }

    [Fact]
    public async Task GivesEachSubscriptionsCopyItsOwnIdSoTheTopicKeepsBoth()
    {
        foreach (var subscription in new[] { Subscriptions.Notifications, Subscriptions.Webhooks })
        {
            var message = ServiceBusMessages.Received(Body, FakeHandler.Subject, "OrderCompleted:ord_1:7", "ord_1");
            await _harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException()), ConsumerEntity.ForSubscription(Topics.OrderEvents, subscription));
        }

        Assert.Equal(
            ["OrderCompleted:ord_1:7#notifications#retry2", "OrderCompleted:ord_1:7#webhooks#retry2"],
            _harness.Sender.Sent.Select(copy => copy.MessageId));
    }

    [Fact]
    public async Task KeepsAddressingTheSubscriptionOnLaterAttempts()
    {
        var entity = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Webhooks);
        var handler = FakeHandler.Failing(new TimeoutException());
        await _harness.ProcessAsync(ServiceBusMessages.Received(Body, FakeHandler.Subject, "OrderCompleted:ord_1:7", "ord_1"), handler, entity);
        var secondAttempt = ServiceBusMessages.Received(_harness.Sender.Sent.Single());

        await _harness.ProcessAsync(secondAttempt, handler, entity);

        var copy = _harness.Sender.Sent.Last();
        Assert.Equal("OrderCompleted:ord_1:7#webhooks#retry3", copy.MessageId);
        Assert.Equal(Subscriptions.Webhooks, copy.ApplicationProperties![RetryProperties.RetryFor]);
        Assert.Equal(3, copy.ApplicationProperties[RetryProperties.Attempt]);
        Assert.Equal(["OrderCompleted:ord_1:7", "OrderCompleted:ord_1:7"], handler.Calls.Select(call => call.Context.MessageId));
    }

    [Fact]
    public async Task ScopesLogsWithTheSubscriptionPath()
    {
        var message = ServiceBusMessages.Received(Body, "Unknown", correlationId: "ord_2");

        await _harness.ProcessAsync(message, new FakeHandler(), ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog));

        var log = Assert.Single(_harness.Logs.Records);
        Assert.Equal("order-events/subscriptions/catalog", log.Scope["Entity"]);
        Assert.Equal("ord_2", log.Scope["OrderId"]);
    }
}
