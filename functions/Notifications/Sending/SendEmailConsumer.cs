using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Notifications.Sending;

public sealed class SendEmailConsumer(MessagePipeline pipeline, SendEmailHandler handler)
{
    private static readonly ConsumerEntity Entity = ConsumerEntity.Queue(Queues.SendEmail);

    [Function(nameof(SendEmail))]
    public Task SendEmail(
        [ServiceBusTrigger(Queues.SendEmail, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(Entity, message, actions, handler, cancellationToken);
}
