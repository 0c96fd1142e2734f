using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// Stand-in for the real package's converter. It exists for its attributes: a trigger whose input converter supports
/// deferred binding gets <c>"supportsDeferredBinding": "True"</c> in functions.metadata, as a real build's does. It
/// converts nothing (only the real package talks to the Functions host).
/// </summary>
[SupportsDeferredBinding]
[SupportedTargetType(typeof(ServiceBusReceivedMessage))]
[SupportedTargetType(typeof(ServiceBusReceivedMessage[]))]
internal sealed class ServiceBusReceivedMessageConverter : IInputConverter
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context) =>
        ValueTask.FromResult(ConversionResult.Unhandled());
}
