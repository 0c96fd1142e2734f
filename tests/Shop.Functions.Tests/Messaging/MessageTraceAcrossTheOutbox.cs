using System.Diagnostics;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Messaging.Consumers;
using Xunit;

namespace Shop.Functions.Tests.Messaging;

/// <summary>
/// A message carries the trace it was created in: through an outbox row sent later with no span around it (the
/// sweeper's case), as Diagnostic-Id and traceparent on the Service Bus message, into the consumer's span.
/// </summary>
public sealed class MessageTraceAcrossTheOutbox : IDisposable
{
    private static readonly ActivitySource Submit = new("Shop.Tests.Submit");
    private readonly ActivityListener _listener = new()
    {
        ShouldListenTo = source => source.Name is "Shop.Tests.Submit" or MessageTrace.SourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public MessageTraceAcrossTheOutbox() => ActivitySource.AddActivityListener(_listener);

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task TheConsumerSpanContinuesTheTraceOfTheChangeThatWroteTheOutboxRow()
    {
        OutboxRow row;
        string traceParent;
        ActivityTraceId traceId;
        using (var submit = Submit.StartActivity("SubmitOrder")!)
        {
            traceParent = submit.Id!;
            traceId = submit.TraceId;
            row = OutboxRow.For("ord_1", new OutgoingMessage(Queues.PlaceOrder, "TestCommand:ord_1", FakeHandler.Subject, "ord_1", BinaryData.FromString("""{"orderId":"ord_1","quantity":2}""")), DateTimeOffset.UtcNow);
        }

        Assert.Null(Activity.Current);
        Assert.Equal(traceParent, row.TraceParent);
        var resent = row.ToMessage();
        var onTheWire = ServiceBusMessageSender.ToServiceBus(resent);
        Assert.Equal(traceParent, onTheWire.ApplicationProperties[MessageTrace.DiagnosticIdProperty]);
        Assert.Equal(traceParent, onTheWire.ApplicationProperties[MessageTrace.TraceParentProperty]);

        using var harness = new ConsumerHarness();
        Activity? seen = null;
        var handler = new FakeHandler((_, _) =>
        {
            seen = Activity.Current;
            return MessageOutcome.Completed;
        });
        await harness.ProcessAsync(ServiceBusMessages.Received(resent), handler);

        Assert.NotNull(seen);
        Assert.Equal(MessageTrace.SourceName, seen.Source.Name);
        Assert.Equal(traceId, seen.TraceId);
        Assert.Equal(traceParent, seen.ParentId);
    }

    [Fact]
    public void AMessageCreatedOutsideASpanCarriesNoTraceContext()
    {
        var message = new OutgoingMessage(Queues.PlaceOrder, "m", "s", "c", BinaryData.FromString("{}"));

        Assert.Null(message.TraceParent);
        Assert.False(ServiceBusMessageSender.ToServiceBus(message).ApplicationProperties.ContainsKey(MessageTrace.DiagnosticIdProperty));
    }
}
