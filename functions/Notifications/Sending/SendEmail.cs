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

    public OutgoingMessage ToMessage() => OutgoingMessage.Json(Queues.SendEmail, MessageIdFor(OrderId, EventType), nameof(SendEmail), OrderId, this, ShopJsonContext.Default.SendEmail);
}
