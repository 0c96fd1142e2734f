using System.Globalization;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;

namespace Shop.Functions.Notifications;

/// <summary>An e-mail's words: a one-line subject and a plain-text body.</summary>
public sealed record EmailContent(string Subject, string Body);

/// <summary>
/// Which order events the customer hears about, and what each e-mail says: short plain text that names the order by
/// its id and nothing else internal (no payment token, charge id or SKU).
/// </summary>
public static class CustomerEmails
{
    /// <summary>Published by Shipping when the carrier has the parcel; the same string as its Subject and CloudEvent type.</summary>
    public const string ShipmentDispatched = nameof(ShipmentDispatched);

    private const string RefundPromise = "If we took a payment for it, we will refund it in full and e-mail you when we have.";

    public static IReadOnlyList<string> EventTypes { get; } =
    [
        OrderEventTypes.OrderAccepted,
        ShipmentDispatched,
        OrderEventTypes.OrderCompleted,
        OrderEventTypes.OrderFailed,
        OrderEventTypes.OrderCancelled,
        OrderEventTypes.PaymentRefunded,
        OrderEventTypes.Backordered,
    ];

    public static bool IsFor(string eventType) => EventTypes.Contains(eventType, StringComparer.Ordinal);

    /// <summary>The e-mail for a customer-facing event (<see cref="IsFor"/>), greeting the customer and signed by <paramref name="signature"/>.</summary>
    public static EmailContent Compose(string eventType, OrderEventData data, string customerName, string signature)
    {
        var id = data.OrderId;
        var (subject, lines) = eventType switch
        {
            OrderEventTypes.OrderAccepted => (
                $"We have received your order {id}",
                new[] { $"Thank you for your order {id}. We have received it and are getting it ready.", "We will e-mail you again when it is on its way." }),
            ShipmentDispatched => (
                $"Your order {id} is on its way",
                new[] { $"Good news: your order {id} has left our warehouse.", Tracking(data) }),
            OrderEventTypes.OrderCompleted => (
                $"Your order {id} is complete",
                new[] { $"Your order {id} is complete. Thank you for shopping with us.", Tracking(data) }),
            OrderEventTypes.OrderFailed => (
                $"We could not fulfil your order {id}",
                new[] { $"We are sorry: we could not fulfil your order {id} {Because(data.Reason)}.", RefundPromise }),
            OrderEventTypes.OrderCancelled => (
                $"Your order {id} has been cancelled",
                new[] { $"Your order {id} has been cancelled.", RefundPromise }),
            OrderEventTypes.PaymentRefunded => (
                $"We have refunded your payment for order {id}",
                new[] { $"We have refunded {Amount(data)} for your order {id} to the card you paid with.", "Your bank may take a few days to show it." }),
            OrderEventTypes.Backordered => (
                $"Your order {id} is waiting for stock",
                new[] { $"Part of your order {id} is out of stock at the moment. We have ordered more and will send your order as soon as it arrives.", "We have not taken any payment yet. You can cancel the order at any time until it ships." }),
            _ => throw new ArgumentException($"'{eventType}' is not an event customers are told about.", nameof(eventType)),
        };

        var name = HeaderText.SingleLine(customerName);
        string[] body =
        [
            name.Length == 0 ? "Hello," : $"Hello {name},",
            string.Empty,
            .. lines.Where(line => line.Length > 0),
            string.Empty,
            "Kind regards,",
            HeaderText.SingleLine(signature),
        ];
        return new EmailContent(subject, string.Join('\n', body) + "\n");
    }

    private static string Tracking(OrderEventData data) =>
        HeaderText.SingleLine(data.TrackingNumber, 64) is { Length: > 0 } tracking ? $"Your tracking number is {tracking}." : string.Empty;

    private static string Because(string? reason) => reason switch
    {
        FailureReasons.OutOfStock => "because an item in it is out of stock",
        FailureReasons.PaymentDeclined => "because the payment was declined",
        FailureReasons.PaymentFailed => "because the payment could not be taken",
        FailureReasons.ShippingTimeout => "because it could not be shipped in time",
        _ => "because of a problem on our side",
    };

    private static string Amount(OrderEventData data) =>
        data is { Amount: { } amount, Currency: { Length: > 0 } currency }
            ? $"{amount.ToString(CultureInfo.InvariantCulture)} {HeaderText.SingleLine(currency, 3)}"
            : "your payment";
}
