using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Orders.Events;

/// <summary>
/// What every consumer of order events checks before anything else (a storage call included): the event names an order
/// id the app made (it is a table key, and one storage refuses, such as one with a '/', would fail every retry), and its
/// <c>type</c> is the message's Subject (the subscription filters route by Subject, the handler acts on the type).
/// </summary>
public static class OrderEventCheck
{
    /// <summary>Why the event cannot be handled, or null when it can.</summary>
    public static string? Problem(OrderEvent message, MessageContext context)
    {
        if (message.Data is not { OrderId.Length: > 0 } data)
        {
            return "The event has no data.orderId.";
        }

        if (!OrderIds.IsWellFormed(data.OrderId))
        {
            return "The event's data.orderId is not an order id.";
        }

        return message.Type == context.Subject ? null : $"The event's type '{message.Type}' is not its Subject '{context.Subject}'.";
    }
}
