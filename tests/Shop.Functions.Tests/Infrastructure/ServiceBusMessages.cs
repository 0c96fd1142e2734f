using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Builds received Service Bus messages (<see cref="ServiceBusModelFactory"/>) as a consumer's trigger gets them.
/// The one place tests make them.
/// </summary>
public static class ServiceBusMessages
{
    public static readonly DateTimeOffset DefaultEnqueuedTime = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static long _sequenceNumber;

    public static ServiceBusReceivedMessage Received(
        BinaryData body,
        string? subject,
        string messageId = "message-1",
        string? correlationId = null,
        IDictionary<string, object>? properties = null,
        string? contentType = OutgoingMessage.JsonContentType,
        int deliveryCount = 1,
        DateTimeOffset? enqueuedTime = null) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: body,
            messageId: messageId,
            correlationId: correlationId,
            subject: subject,
            contentType: contentType,
            properties: properties ?? new Dictionary<string, object>(),
            lockTokenGuid: Guid.NewGuid(),
            deliveryCount: deliveryCount,
            sequenceNumber: Interlocked.Increment(ref _sequenceNumber),
            enqueuedTime: enqueuedTime ?? DefaultEnqueuedTime);

    public static ServiceBusReceivedMessage Received(
        string body,
        string? subject,
        string messageId = "message-1",
        string? correlationId = null,
        IDictionary<string, object>? properties = null) =>
        Received(BinaryData.FromString(body), subject, messageId, correlationId, properties);

    /// <summary>
    /// What was sent, as its consumer receives it: e.g. <c>new PlaceOrder(id).ToMessage()</c>, or a retry copy the
    /// app scheduled (enqueued at its scheduled time).
    /// </summary>
    public static ServiceBusReceivedMessage Received(OutgoingMessage sent, int deliveryCount = 1, DateTimeOffset? enqueuedTime = null) =>
        Received(
            sent.Body,
            sent.Subject,
            sent.MessageId,
            string.IsNullOrEmpty(sent.CorrelationId) ? null : sent.CorrelationId,
            Shop.Functions.Messaging.MessageTrace.WithTraceParent(sent.ApplicationProperties, sent.TraceParent)?.ToDictionary(),
            sent.ContentType,
            deliveryCount,
            enqueuedTime ?? sent.ScheduledEnqueueTime);
}
