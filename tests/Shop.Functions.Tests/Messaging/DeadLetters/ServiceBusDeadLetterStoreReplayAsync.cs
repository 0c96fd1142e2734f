using Azure.Messaging.ServiceBus;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

public sealed class ServiceBusDeadLetterStoreReplayAsync
{
    private static readonly ConsumerEntity PlaceOrderQueue = ConsumerEntity.Queue(Queues.PlaceOrder);
    private static readonly ConsumerEntity Catalog = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    [Fact]
    public async Task SendsTheCopyThenCompletesTheDeadLetterAndAbandonsTheOthersItHeld()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var target = DeadLettered.LastAttempt("PlaceOrder:ord_1");
        var others = Enumerable.Range(0, 4).Select(i => DeadLettered.Message($"other-{i}")).ToArray();
        harness.PeekFinds(target.SequenceNumber, target);
        harness.ReceiveBatches([others[0], others[1]], [others[2], target, others[3]]);
        var steps = new List<string>();
        harness.Receiver.Setup(r => r.CompleteMessageAsync(target, It.IsAny<CancellationToken>()))
            .Callback(() => steps.Add($"complete after {harness.Sender.Sent.Count} sent"))
            .Returns(Task.CompletedTask);

        var result = await harness.Store.ReplayAsync(PlaceOrderQueue, target.SequenceNumber, CancellationToken.None);

        Assert.Equal(ReplayStatus.Replayed, result.Status);
        var copy = Assert.Single(harness.Sender.Sent);
        Assert.Same(copy, result.Copy);
        Assert.Equal((Queues.PlaceOrder, "PlaceOrder:ord_1#replay1"), (copy.Destination, copy.MessageId));
        Assert.False(copy.ApplicationProperties!.ContainsKey(RetryProperties.Attempt));
        Assert.Equal(["complete after 1 sent"], steps);
        Array.ForEach(others, harness.VerifyAbandonedOnce);
        harness.Receiver.Verify(r => r.AbandonMessageAsync(target, It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task SendsASubscriptionsCopyToTheTopicForThatSubscription()
    {
        var harness = new DeadLetterStoreHarness(Catalog);
        var target = DeadLettered.Message("OrderCompleted:ord_1:6", "OrderCompleted");
        harness.PeekFinds(target.SequenceNumber, target);
        harness.ReceiveBatches([target]);

        await harness.Store.ReplayAsync(Catalog, target.SequenceNumber, CancellationToken.None);

        var copy = Assert.Single(harness.Sender.Sent);
        Assert.Equal((Topics.OrderEvents, "OrderCompleted:ord_1:6#catalog#replay1"), (copy.Destination, copy.MessageId));
        Assert.Equal(Subscriptions.Catalog, copy.ApplicationProperties![RetryProperties.RetryFor]);
        harness.Receiver.Verify(r => r.CompleteMessageAsync(target, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AnswersNotFoundWithoutLockingAnythingGivenNoDeadLetterHasTheNumber()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var later = DeadLettered.Message("later");
        harness.PeekFinds(later.SequenceNumber - 1, later);
        harness.PeekFinds(later.SequenceNumber + 1, null);

        Assert.Equal(ReplayStatus.NotFound, (await harness.Store.ReplayAsync(PlaceOrderQueue, later.SequenceNumber - 1, CancellationToken.None)).Status);
        Assert.Equal(ReplayStatus.NotFound, (await harness.Store.ReplayAsync(PlaceOrderQueue, later.SequenceNumber + 1, CancellationToken.None)).Status);

        harness.Receiver.Verify(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Empty(harness.Sender.Sent);
    }

    [Fact]
    public async Task AnswersLockedAndAbandonsWhatItHeldGivenTheDeadLetterIsNotReceived()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var (target, other) = (DeadLettered.Message("target"), DeadLettered.Message("other"));
        harness.PeekFinds(target.SequenceNumber, target);
        harness.ReceiveBatches([other]);

        var result = await harness.Store.ReplayAsync(PlaceOrderQueue, target.SequenceNumber, CancellationToken.None);

        Assert.Equal(ReplayStatus.Locked, result.Status);
        harness.VerifyAbandonedOnce(other);
        Assert.Empty(harness.Sender.Sent);
    }

    [Fact]
    public async Task GivesUpAfterHoldingTheMostItMay()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var target = DeadLettered.Message("target");
        harness.PeekFinds(target.SequenceNumber, target);
        harness.Receiver.Setup(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((int max, TimeSpan? _, CancellationToken _) => [.. Enumerable.Range(0, max).Select(i => DeadLettered.Message($"other-{i}"))]);

        var result = await harness.Store.ReplayAsync(PlaceOrderQueue, target.SequenceNumber, CancellationToken.None);

        Assert.Equal(ReplayStatus.Locked, result.Status);
        harness.Receiver.Verify(
            r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()),
            Times.Exactly(ServiceBusDeadLetterStore.MaxHeld / ServiceBusDeadLetterStore.ReceiveBatchSize));
        harness.Receiver.Verify(
            r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), null, It.IsAny<CancellationToken>()),
            Times.Exactly(ServiceBusDeadLetterStore.MaxHeld));
    }

    [Fact]
    public async Task AbandonsTheDeadLetterTooGivenTheCopyCannotBeSent()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var (target, other) = (DeadLettered.Message("target"), DeadLettered.Message("other"));
        harness.PeekFinds(target.SequenceNumber, target);
        harness.ReceiveBatches([other, target]);
        harness.Sender.FailWith = new ServiceBusException("Service Bus is down", ServiceBusFailureReason.ServiceCommunicationProblem);

        await Assert.ThrowsAsync<ServiceBusException>(() => harness.Store.ReplayAsync(PlaceOrderQueue, target.SequenceNumber, CancellationToken.None));

        harness.VerifyAbandonedOnce(target);
        harness.VerifyAbandonedOnce(other);
        harness.Receiver.Verify(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task AbandonsTheOthersEvenWhenOneOfTheirLocksWasLost()
    {
        var harness = new DeadLetterStoreHarness(PlaceOrderQueue);
        var (target, lost, other) = (DeadLettered.Message("target"), DeadLettered.Message("lost"), DeadLettered.Message("other"));
        harness.PeekFinds(target.SequenceNumber, target);
        harness.ReceiveBatches([lost, other, target]);
        harness.Receiver.Setup(r => r.AbandonMessageAsync(lost, It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("lock lost", ServiceBusFailureReason.MessageLockLost));

        var result = await harness.Store.ReplayAsync(PlaceOrderQueue, target.SequenceNumber, CancellationToken.None);

        Assert.Equal(ReplayStatus.Replayed, result.Status);
        harness.VerifyAbandonedOnce(other);
    }
}
