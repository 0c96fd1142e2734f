using Microsoft.Extensions.Logging;

namespace Shop.Functions.Payments;

/// <summary>What the sandbox tells operators: order ids, charge and refund ids, amounts. Never the payment token.</summary>
public sealed partial class SandboxPaymentGateway
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Payments are SIMULATED by the sandbox payment gateway: no money moves. Set Payments:Provider to a real provider before taking real orders")]
    private partial void LogSimulated();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox captured charge {ChargeId} of {Amount} {Currency} for order {OrderId}")]
    private partial void LogCaptured(string orderId, string chargeId, decimal amount, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox declined the charge for order {OrderId}: {DeclineCode}")]
    private partial void LogDeclined(string orderId, string declineCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was charged before ({Outcome}, charge {ChargeId}); answering the first charge")]
    private partial void LogChargeReplayed(string orderId, string outcome, string? chargeId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} charged again for {Amount} {Currency}, but its charge {ChargeId} captured {FirstAmount} {FirstCurrency}; answering the first charge")]
    private partial void LogChargedAgainWithOtherAmount(string orderId, string chargeId, decimal amount, string currency, decimal firstAmount, string firstCurrency);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox simulated an outage for order {OrderId} (attempt {Attempt})")]
    private partial void LogSimulatedOutage(string orderId, int? attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox refunded {Amount} {Currency} of charge {ChargeId} for order {OrderId}: refund {RefundId}")]
    private partial void LogRefunded(string orderId, string chargeId, string refundId, decimal amount, string currency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was refunded before (refund {RefundId}); answering the first refund")]
    private partial void LogRefundReplayed(string orderId, string refundId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} has no captured charge; nothing to refund")]
    private partial void LogNothingCharged(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was closed before any charge: a later charge is declined")]
    private partial void LogClosedBeforeCharge(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} was charged after it was closed ({Outcome}); declined, nothing captured")]
    private partial void LogChargeAfterClose(string orderId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund of charge {ChargeId} for order {OrderId} rejected: {RejectCode}")]
    private partial void LogRefundRejected(string orderId, string chargeId, string rejectCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sandbox payment storage unavailable for order {OrderId}")]
    private partial void LogStorageUnavailable(Exception exception, string orderId);
}
