using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Messaging.Consumers;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

/// <summary>What a replay resubmits: the message as it was, a fresh retry budget, and an id duplicate detection keeps.</summary>
public sealed class ReplayCopyCreate
{
    private static readonly ConsumerEntity PlaceOrderQueue = ConsumerEntity.Queue(Queues.PlaceOrder);
    private static readonly ConsumerEntity CatalogSubscription = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    [Fact]
    public void SendsAQueuesDeadLetterBackToTheQueueWithoutItsAttempt()
    {
        var deadLetter = DeadLettered.LastAttempt("PlaceOrder:ord_1", properties: new Dictionary<string, object> { ["tenant"] = "contoso" });

        var copy = ReplayCopy.Create(PlaceOrderQueue, deadLetter);

        Assert.Equal(Queues.PlaceOrder, copy.Destination);
        Assert.Equal("PlaceOrder:ord_1#replay1", copy.MessageId);
        Assert.Equal((deadLetter.Subject, "ord_1", deadLetter.ContentType), (copy.Subject, copy.CorrelationId, copy.ContentType));
        Assert.Equal(deadLetter.Body.ToString(), copy.Body.ToString());
        Assert.Null(copy.ScheduledEnqueueTime);
        Assert.Equal(
            new Dictionary<string, object>
            {
                ["tenant"] = "contoso",
                [RetryProperties.OriginalMessageId] = "PlaceOrder:ord_1",
                [RetryProperties.Replay] = 1,
            },
            copy.ApplicationProperties);
    }

    [Fact]
    public void AddressesASubscriptionsDeadLetterToThatSubscriptionOnlyEvenOnItsFirstAttempt()
    {
        // Dead-lettered at once (no retry copy before it), so it carries no retryFor of its own.
        var deadLetter = DeadLettered.Message("OrderCompleted:ord_1:6", "OrderCompleted");

        var copy = ReplayCopy.Create(CatalogSubscription, deadLetter);

        Assert.Equal(Topics.OrderEvents, copy.Destination);
        Assert.Equal("OrderCompleted:ord_1:6#catalog#replay1", copy.MessageId);
        Assert.Equal(Subscriptions.Catalog, copy.ApplicationProperties![RetryProperties.RetryFor]);
        Assert.Equal("OrderCompleted:ord_1:6", copy.ApplicationProperties[RetryProperties.OriginalMessageId]);
        Assert.False(copy.ApplicationProperties.ContainsKey(RetryProperties.Attempt));
    }

    [Fact]
    public void NumbersTheNextReplayOfAMessageReplayedBefore()
    {
        var deadLetter = DeadLettered.LastAttempt("OrderCompleted:ord_1:6", Subscriptions.Catalog, new Dictionary<string, object> { [RetryProperties.Replay] = 1 });

        var copy = ReplayCopy.Create(CatalogSubscription, deadLetter);

        Assert.Equal("OrderCompleted:ord_1:6#catalog#replay2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Replay]);
    }

    [Fact]
    public void NeverReusesTheIdOfTheOriginalOrOfItsRetries()
    {
        const string LogicalId = "OrderCompleted:ord_1:6";
        var chain = new[] { LogicalId }.Concat(Enumerable.Range(2, 5).Select(attempt => RetryCopy.MessageId(LogicalId, Subscriptions.Catalog, attempt)));

        var copy = ReplayCopy.Create(CatalogSubscription, DeadLettered.LastAttempt(LogicalId, Subscriptions.Catalog));

        Assert.DoesNotContain(copy.MessageId, chain);
        Assert.NotEqual(copy.MessageId, ReplayCopy.Create(ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Webhooks), DeadLettered.Message(LogicalId)).MessageId);
    }

    [Fact]
    public void GivesTheSameIdWhenTheSameDeadLetterIsReplayedAgain()
    {
        var deadLetter = DeadLettered.LastAttempt("PlaceOrder:ord_1");

        Assert.Equal(ReplayCopy.Create(PlaceOrderQueue, deadLetter).MessageId, ReplayCopy.Create(PlaceOrderQueue, deadLetter).MessageId);
    }

    [Fact]
    public void ShortensAnIdOverServiceBusLimitKeepingItDistinct()
    {
        var logicalId = new string('a', 150);

        var first = ReplayCopy.MessageId(logicalId, Subscriptions.Notifications, 1);
        var second = ReplayCopy.MessageId(logicalId + "b", Subscriptions.Notifications, 1);

        Assert.InRange(first.Length, 1, 128);
        Assert.EndsWith("#notifications#replay1", first, StringComparison.Ordinal);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task StartsAFreshRetryChainUnderIdsOfItsOwn()
    {
        using var harness = new ConsumerHarness();
        var handler = FakeHandler.Failing(new TimeoutException());
        var deadLetter = ServiceBusMessages.Received("""{"orderId":"ord_1"}""", FakeHandler.Subject, "TestCommand:ord_1#retry6", "ord_1", new Dictionary<string, object>
        {
            [RetryProperties.Attempt] = 6,
            [RetryProperties.OriginalMessageId] = "TestCommand:ord_1",
            ["DeadLetterReason"] = DeadLetterReasons.RetriesExhausted,
        });
        var replayed = ServiceBusMessages.Received(ReplayCopy.Create(ConsumerHarness.PlaceOrderQueue, deadLetter));

        await harness.ProcessAsync(replayed, handler);

        var (context, retry) = (Assert.Single(handler.Calls).Context, Assert.Single(harness.Sender.Sent));
        Assert.Equal(("TestCommand:ord_1", 1), (context.MessageId, context.Attempt));
        // Not TestCommand:ord_1#retry2: the original's copy of that name may still be in the duplicate-detection window.
        Assert.Equal("TestCommand:ord_1#replay1#retry2", retry.MessageId);
        Assert.Equal(1, retry.ApplicationProperties![RetryProperties.Replay]);
    }
}
