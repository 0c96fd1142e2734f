using System.Diagnostics;
using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging;

/// <summary>
/// One order, one trace: the W3C trace context travels with every message in the application properties that Service
/// Bus tooling reads (<c>Diagnostic-Id</c>, and <c>traceparent</c>), is kept on outbox rows (so a sweeper resend still
/// carries the submit's), and becomes the parent of the consumer's span (<see cref="SourceName"/>).
/// </summary>
public static class MessageTrace
{
    public const string SourceName = "Shop.Messaging";
    public const string DiagnosticIdProperty = "Diagnostic-Id";
    public const string TraceParentProperty = "traceparent";

    private static readonly ActivitySource Source = new(SourceName, "1.0.0");

    /// <summary>The current span's W3C id (<c>00-{trace}-{span}-{flags}</c>), null outside a span.</summary>
    public static string? Current() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>The trace parent a message carries: its properties' first, else the one it was created under.</summary>
    public static string? Of(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return FromProperties(message.ApplicationProperties) ?? message.TraceParent;
    }

    /// <summary>The properties to send: <paramref name="properties"/> with the trace parent, where there is one.</summary>
    public static IReadOnlyDictionary<string, object>? WithTraceParent(IReadOnlyDictionary<string, object>? properties, string? traceParent)
    {
        if (traceParent is null || FromProperties(properties) is not null)
        {
            return properties;
        }

        var result = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in properties ?? new Dictionary<string, object>())
        {
            result[name] = value;
        }

        result[DiagnosticIdProperty] = traceParent;
        result[TraceParentProperty] = traceParent;
        return result;
    }

    /// <summary>The consumer's span, a child of the trace context <paramref name="message"/> carries (when valid).</summary>
    public static Activity? StartConsumer(ConsumerEntity entity, ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(message);
        var carried = FromProperties(message.ApplicationProperties);
        var activity = carried is not null && ActivityContext.TryParse(carried, null, out var parent)
            ? Source.StartActivity($"{entity} process", ActivityKind.Consumer, parent)
            : Source.StartActivity($"{entity} process", ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "servicebus");
        activity?.SetTag("messaging.destination.name", entity.ToString());
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.conversation_id", message.CorrelationId);
        return activity;
    }

    private static string? FromProperties(IReadOnlyDictionary<string, object>? properties) =>
        properties is null ? null
        : properties.TryGetValue(TraceParentProperty, out var traceParent) && traceParent is string w3c ? w3c
        : properties.TryGetValue(DiagnosticIdProperty, out var diagnosticId) && diagnosticId is string id ? id
        : null;
}
