using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Webhooks.Dispatch;

/// <summary>The <c>deliver-webhook</c> queue, on the webhooks' own redelivery schedule (about a day).</summary>
public sealed class DeliverWebhookConsumer(MessagePipeline pipeline, DeliverWebhookHandler handler, IOptions<WebhookOptions> options)
{
    private static readonly ConsumerEntity Entity = ConsumerEntity.Queue(Queues.DeliverWebhook);

    private readonly ConsumerOptions _schedule = options.Value.RedeliverySchedule();

    [Function(nameof(DeliverWebhook))]
    public Task DeliverWebhook(
        [ServiceBusTrigger(Queues.DeliverWebhook, Connection = Connections.ServiceBus)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken) =>
        pipeline.ProcessAsync(Entity, message, actions, handler, _schedule, cancellationToken);
}
