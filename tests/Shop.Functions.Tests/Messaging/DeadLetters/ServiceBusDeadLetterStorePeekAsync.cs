using Azure.Messaging.ServiceBus;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

public sealed class ServiceBusDeadLetterStorePeekAsync
{
    private static readonly ConsumerEntity Catalog = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    private readonly DeadLetterStoreHarness _harness = new(Catalog);

    [Fact]
    public async Task PeeksTheSubscriptionsDeadLetterQueueUntilMaxWithoutSettlingAnything()
    {
        var (first, second, third) = (DeadLettered.Message("a"), DeadLettered.Message("b"), DeadLettered.Message("c"));
        _harness.Receiver.SetupSequence(r => r.PeekMessagesAsync(It.IsAny<int>(), It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([first, second])
            .ReturnsAsync([third]);

        var found = await _harness.Store.PeekAsync(Catalog, 40, 3, CancellationToken.None);

        Assert.Equal(["a", "b", "c"], found.Select(deadLetter => deadLetter.MessageId));
        Assert.Equal(third.SequenceNumber, found[^1].SequenceNumber);
        _harness.Receiver.Verify(r => r.PeekMessagesAsync(3, 40, It.IsAny<CancellationToken>()), Times.Once);
        _harness.Receiver.Verify(r => r.PeekMessagesAsync(1, second.SequenceNumber + 1, It.IsAny<CancellationToken>()), Times.Once);
        _harness.Receiver.Verify(r => r.DisposeAsync(), Times.Once);
        _harness.Receiver.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task StopsAtTheEndOfTheDeadLetterQueue()
    {
        _harness.Receiver.SetupSequence(r => r.PeekMessagesAsync(It.IsAny<int>(), It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync([DeadLettered.Message("a")])
            .ReturnsAsync([]);

        var found = await _harness.Store.PeekAsync(Catalog, null, 50, CancellationToken.None);

        Assert.Single(found);
        _harness.Receiver.Verify(r => r.PeekMessagesAsync(50, null, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task ReadsAQueuesDeadLetterQueue()
    {
        var harness = new DeadLetterStoreHarness(ConsumerEntity.Queue(Queues.SendEmail));
        harness.Receiver.Setup(r => r.PeekMessagesAsync(It.IsAny<int>(), It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(Array.Empty<ServiceBusReceivedMessage>());

        Assert.Empty(await harness.Store.PeekAsync(ConsumerEntity.Queue(Queues.SendEmail), null, 10, CancellationToken.None));
        harness.Client.Verify(c => c.CreateReceiver(Queues.SendEmail, It.IsAny<ServiceBusReceiverOptions>()), Times.Once);
    }
}
