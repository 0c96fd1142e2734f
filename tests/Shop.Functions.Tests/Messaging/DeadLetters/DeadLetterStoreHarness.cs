using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

/// <summary>
/// <see cref="ServiceBusDeadLetterStore"/> on a mocked <see cref="ServiceBusClient"/> whose dead-letter receiver the tests
/// script and verify, and the in-memory sender. (Service Bus cannot run here; the SDK's types are made for mocking.)
/// </summary>
public sealed class DeadLetterStoreHarness
{
    public DeadLetterStoreHarness(ConsumerEntity entity)
    {
        if (entity.Subscription is { } subscription)
        {
            Client.Setup(c => c.CreateReceiver(entity.EntityPath, subscription, It.Is<ServiceBusReceiverOptions>(o => IsDeadLetterPeekLock(o))))
                .Returns(Receiver.Object);
        }
        else
        {
            Client.Setup(c => c.CreateReceiver(entity.EntityPath, It.Is<ServiceBusReceiverOptions>(o => IsDeadLetterPeekLock(o))))
                .Returns(Receiver.Object);
        }

        Store = new ServiceBusDeadLetterStore(Client.Object, Sender, NullLogger<ServiceBusDeadLetterStore>.Instance);
    }

    public Mock<ServiceBusClient> Client { get; } = new(MockBehavior.Strict);

    public Mock<ServiceBusReceiver> Receiver { get; } = new();

    public InMemoryMessageSender Sender { get; } = new();

    public ServiceBusDeadLetterStore Store { get; }

    /// <summary>What a peek at <paramref name="sequenceNumber"/> finds: the first message at or after it, or none.</summary>
    public void PeekFinds(long sequenceNumber, ServiceBusReceivedMessage? message) =>
        Receiver.Setup(r => r.PeekMessageAsync(sequenceNumber, It.IsAny<CancellationToken>())).ReturnsAsync(message);

    /// <summary>Each receive answers the next batch; after the last, empty batches (nothing else is available).</summary>
    public void ReceiveBatches(params ServiceBusReceivedMessage[][] batches)
    {
        var queue = new Queue<ServiceBusReceivedMessage[]>(batches);
        Receiver.Setup(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => queue.TryDequeue(out var batch) ? batch : []);
    }

    public void VerifyAbandonedOnce(ServiceBusReceivedMessage message) =>
        Receiver.Verify(r => r.AbandonMessageAsync(message, null, It.IsAny<CancellationToken>()), Times.Once);

    private static bool IsDeadLetterPeekLock(ServiceBusReceiverOptions options) =>
        options is { SubQueue: SubQueue.DeadLetter, ReceiveMode: ServiceBusReceiveMode.PeekLock, PrefetchCount: 0 };
}
