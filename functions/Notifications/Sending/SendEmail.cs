using System.Text.Json;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications.Sending;

/// <summary>
/// Command: send the customer one e-mail, already written (<see cref="CustomerEmails"/>). The order and the event
/// type name it: its message id is <c>SendEmail:{orderId}:{eventType}</c>, and a sender sends at most one e-mail per
/// pair, however often the command arrives.
/// </summary>
public sealed record SendEmail(string OrderId, string EventType, string To, string ToName, string Subject, string Body)
{
    public static string MessageIdFor(string orderId, string eventType) => $"{nameof(SendEmail)}:{orderId}:{eventType}";

    public OutgoingMessage ToMessage() => new(
        Queues.SendEmail,
        MessageId: MessageIdFor(OrderId, EventType),
        Subject: nameof(SendEmail),
        CorrelationId: OrderId,
        Body: BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(this, ShopJsonContext.Default.SendEmail)));
}
