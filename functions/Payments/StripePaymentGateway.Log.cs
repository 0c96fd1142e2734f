using Microsoft.Extensions.Logging;

namespace Shop.Functions.Payments;

public sealed partial class StripePaymentGateway
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe captured {Amount} {Currency} for order {OrderId}: PaymentIntent {PaymentIntentId}")]
    private partial void LogCaptured(string orderId, string paymentIntentId, decimal amount, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe PaymentIntent {PaymentIntentId} of order {OrderId} is {Reason}; the outcome comes by webhook")]
    private partial void LogPending(string orderId, string paymentIntentId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe declined order {OrderId} (PaymentIntent {PaymentIntentId}): {DeclineCode}")]
    private partial void LogDeclined(string orderId, string? paymentIntentId, string declineCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe refunded {Amount} {Currency} of PaymentIntent {PaymentIntentId} for order {OrderId}: refund {RefundId}")]
    private partial void LogRefunded(string orderId, string paymentIntentId, string refundId, decimal amount, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} has no captured Stripe charge; nothing to refund")]
    private partial void LogNothingCharged(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe PaymentIntent {PaymentIntentId} of order {OrderId} cancelled (it was {Status})")]
    private partial void LogCancelled(string orderId, string paymentIntentId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: PaymentIntent {PaymentIntentId} ({Status}) found by Stripe's search on the order id")]
    private partial void LogFoundBySearch(string orderId, string paymentIntentId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} was charged after a refund closed it; nothing is kept")]
    private partial void LogChargeAfterClose(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund of PaymentIntent {PaymentIntentId} for order {OrderId} rejected: {RejectCode}")]
    private partial void LogRefundRejected(string orderId, string paymentIntentId, string rejectCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe {Operation} for order {OrderId} failed")]
    private partial void LogCallFailed(Exception exception, string orderId, string operation);
}
