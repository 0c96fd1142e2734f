using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Stand-in for the real output attribute: same constructor and properties, no behaviour. Like the real one (whose
/// usage it inherits from <see cref="OutputBindingAttribute"/>) it goes on a method or a property, never a parameter.
/// </summary>
public sealed class ServiceBusOutputAttribute : OutputBindingAttribute
{
    public ServiceBusOutputAttribute(string queueOrTopicName, ServiceBusEntityType entityType = ServiceBusEntityType.Queue)
    {
        QueueOrTopicName = queueOrTopicName;
        EntityType = entityType;
    }

    public string QueueOrTopicName { get; }

    public string? Connection { get; set; }

    public ServiceBusEntityType EntityType { get; set; }
}

public enum ServiceBusEntityType
{
    Queue,
    Topic,
}
