using Microsoft.Extensions.Logging;

namespace Shop.Functions.Notifications;

/// <summary>What the SMTP sender tells operators: order ids, event types, Message-IDs and SMTP codes. Never an address, a name or a body.</summary>
public sealed partial class SmtpEmailSender
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId}: {EventType} e-mail accepted by the SMTP server as <{MessageId}>")]
    private partial void LogAccepted(string orderId, string eventType, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: the SMTP server refused the {EventType} e-mail for good ({StatusCode} {ErrorCode})")]
    private partial void LogRefused(string orderId, string eventType, int statusCode, string errorCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: {EventType} e-mail sent, but its marker could not be marked sent; a repeat of the command after the claim's lease would send it again")]
    private partial void LogNotRecorded(string orderId, string eventType);
}
