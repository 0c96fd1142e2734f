using System.Collections.Concurrent;
using System.Collections.ObjectModel;
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

    public static ServiceBusMessage ToServiceBus(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var result = new ServiceBusMessage(message.Body)
        {
            MessageId = message.MessageId,
            Subject = message.Subject,
            CorrelationId = string.IsNullOrEmpty(message.CorrelationId) ? null : message.CorrelationId,
            ContentType = message.ContentType,
        };
        if (message.ScheduledEnqueueTime is { } enqueueAt)
        {
            result.ScheduledEnqueueTime = enqueueAt;
        }

        foreach (var (name, value) in MessageTrace.WithTraceParent(message.ApplicationProperties, message.TraceParent) ?? ReadOnlyDictionary<string, object>.Empty)
        {
            result.ApplicationProperties[name] = value;
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync();
        }
    }
}
