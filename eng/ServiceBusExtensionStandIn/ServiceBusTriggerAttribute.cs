using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Stand-in for the real trigger attribute: same constructors, properties and converter attributes (so the SDK writes
/// the same binding properties into functions.metadata), no behaviour.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
[ConverterFallbackBehavior(ConverterFallbackBehavior.Default)]
[InputConverter(typeof(ServiceBusReceivedMessageConverter))]
public sealed class ServiceBusTriggerAttribute : TriggerBindingAttribute
{
    public ServiceBusTriggerAttribute(string queueName) => QueueName = queueName;

    public ServiceBusTriggerAttribute(string topicName, string subscriptionName)
    {
        TopicName = topicName;
        SubscriptionName = subscriptionName;
    }

    public string? QueueName { get; }

    public string? TopicName { get; }

    public string? SubscriptionName { get; }

    public string? Connection { get; set; }

    public bool IsSessionsEnabled { get; set; }

    // The metadata generators read the default from this attribute, as on the real type.
    [DefaultValue(false)]
    public bool IsBatched { get; set; }
}
