using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

namespace Shop.Functions.Messaging;

/// <summary>Publishes through the app's one <see cref="ServiceBusClient"/>, with one cached sender per entity.</summary>
public sealed class ServiceBusMessageSender(ServiceBusClient client) : IMessageSender, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ServiceBusSender> _senders = new(StringComparer.Ordinal);

    public Task SendAsync(OutgoingMessage message, CancellationToken cancellationToken)
    {
        var sender = _senders.GetOrAdd(message.Destination, client.CreateSender);
        return sender.SendMessageAsync(ToServiceBus(message), cancellationToken);
    }

    public static ServiceBusMessage ToServiceBus(OutgoingMessage message) => new(message.Body)
    {
        MessageId = message.MessageId,
        Subject = message.Subject,
        CorrelationId = message.CorrelationId,
        ContentType = OutgoingMessage.JsonContentType,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync();
        }
    }
}
