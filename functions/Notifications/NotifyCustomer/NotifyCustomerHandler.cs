using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Notifications.Sending;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications.NotifyCustomer;

/// <summary>
/// <c>order-events/notifications</c>: turns each customer-facing event (<see cref="CustomerEmails.EventTypes"/>) into
/// one <see cref="SendEmail"/> command to the order's customer. The subscription receives every order event; the
/// others are completed without an e-mail. An event at or below the order's highest sequence already e-mailed is stale
/// and changes nothing (<see cref="NotificationProgress"/>). The command's id is <c>SendEmail:{orderId}:{eventType}</c>,
/// so a resend is a duplicate, and the sender writes one e-mail per id anyway.
/// </summary>
public sealed partial class NotifyCustomerHandler(
    OrderStore orders,
    NotificationProgress progress,
    IMessageSender sender,
    IOptions<EmailOptions> options,
    ILogger<NotifyCustomerHandler> logger) : IMessageHandler<OrderEvent>
{
    public IReadOnlyCollection<string> Subjects { get; } = [.. OrderEventTypes.All.Union(CustomerEmails.EventTypes, StringComparer.Ordinal)];

    public JsonTypeInfo<OrderEvent> TypeInfo => ShopJsonContext.Default.OrderEvent;

    public async Task<MessageOutcome> HandleAsync(OrderEvent message, MessageContext context, CancellationToken cancellationToken)
    {
        if (OrderEventCheck.Problem(message, context) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        var data = message.Data!;
        if (!CustomerEmails.IsFor(message.Type))
        {
            LogNotForCustomers(data.OrderId, message.Type);
            return MessageOutcome.Completed;
        }

        // Only status e-mails (accepted, completed, failed, cancelled) take part in the order: an older status after a newer
        // one would mislead. ShipmentDispatched and PaymentRefunded are facts that stay true (the parcel left, the money
        // went back): the customer gets them even when a later status was e-mailed first, as a refund often is under
        // retries (the fault tests found a cancelled order whose refund e-mail was dropped as stale).
        var sequenced = message.Type is not (OrderEventTypes.ShipmentDispatched or OrderEventTypes.PaymentRefunded);
        var mark = sequenced ? await progress.ReadMarkAsync(data.OrderId, cancellationToken) : null;
        if (mark is not null && mark.Covers(data.Sequence))
        {
            LogStale(data.OrderId, message.Type, data.Sequence);
            return MessageOutcome.Completed;
        }

        // The saga's events carry the customer (issue 14); the carrier's, and events from before, make us read the row.
        var contact = data.Contact;
        if (contact is null)
        {
            var order = await orders.FindAsync(data.OrderId, cancellationToken);
            if (order is null)
            {
                return MessageOutcome.Reject($"No order has the id '{data.OrderId}'.");
            }

            contact = new OrderContact(order.CustomerEmail, order.CustomerName);
        }

        if (!EmailAddresses.IsValid(contact.Email))
        {
            return MessageOutcome.Reject($"Order '{data.OrderId}' has no valid customer e-mail address.");
        }

        var content = CustomerEmails.Compose(message.Type, data, contact.Name, options.Value.FromName);
        var command = new SendEmail(
            data.OrderId, message.Type, contact.Email, HeaderText.SingleLine(contact.Name), content.Subject, content.Body);
        var outgoing = command.ToMessage();
        await sender.SendAsync(outgoing, cancellationToken);
        LogEmailRequested(data.OrderId, message.Type, outgoing.MessageId);
        if (sequenced)
        {
            // After the send: if this fails, the retry sends the same command again, which duplicate detection and
            // the sender's one-blob-per-id absorb.
            await progress.RecordAsync(data.OrderId, data.Sequence, mark, cancellationToken);
        }

        return MessageOutcome.Completed;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId}: {EventType} is not an event customers are e-mailed about")]
    private partial void LogNotForCustomers(string orderId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} at sequence {Sequence} is stale (the customer was told about a later state); no e-mail")]
    private partial void LogStale(string orderId, string eventType, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} e-mail requested as {SendEmailMessageId}")]
    private partial void LogEmailRequested(string orderId, string eventType, string sendEmailMessageId);
}
