using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications.Sending;

/// <summary>
/// <c>send-email</c>: sends the e-mail through <see cref="IEmailSender"/>, which sends one per order and event type,
/// so a redelivered or resent command sends nothing new. A command that can never be sent (no valid recipient, no
/// subject) is rejected, and so is one the mail server refuses for good (<see cref="EmailRefusedException"/>, reason
/// <c>DeliveryRefused</c>); a sender that cannot be reached throws, and the pipeline tries again later.
/// </summary>
public sealed partial class SendEmailHandler(IEmailSender emails, ILogger<SendEmailHandler> logger) : IMessageHandler<SendEmail>
{
    public IReadOnlyCollection<string> Subjects { get; } = [nameof(SendEmail)];

    public JsonTypeInfo<SendEmail> TypeInfo => ShopJsonContext.Default.SendEmail;

    public async Task<MessageOutcome> HandleAsync(SendEmail message, MessageContext context, CancellationToken cancellationToken)
    {
        if (Problem(message) is { } problem)
        {
            return MessageOutcome.Reject(problem);
        }

        bool sent;
        try
        {
            sent = await emails.SendAsync(message, cancellationToken);
        }
        catch (EmailRefusedException refused)
        {
            return MessageOutcome.Reject(refused.Message, DeadLetterReasons.DeliveryRefused);
        }

        if (sent)
        {
            LogSent(message.OrderId, message.EventType);
        }
        else
        {
            LogSentBefore(message.OrderId, message.EventType);
        }

        return MessageOutcome.Completed;
    }

    // The order id and event type name the e-mail (and the sandbox's blob), so they must be tokens, not paths.
    private static string? Problem(SendEmail message)
    {
        if (!OrderIds.IsWellFormed(message.OrderId))
        {
            return "The command has no valid orderId.";
        }

        if (message.EventType is null || !EventTypePattern().IsMatch(message.EventType))
        {
            return "The command has no valid eventType.";
        }

        if (string.IsNullOrWhiteSpace(message.To))
        {
            return "The command has no recipient (to).";
        }

        if (!EmailAddresses.IsValid(message.To))
        {
            return "The recipient (to) is not a valid e-mail address.";
        }

        return string.IsNullOrWhiteSpace(message.Subject) || string.IsNullOrWhiteSpace(message.Body)
            ? "The command has no subject or no body."
            : null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,63}$")]
    private static partial Regex EventTypePattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} e-mail sent")]
    private partial void LogSent(string orderId, string eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: {EventType} e-mail was sent before; nothing new sent")]
    private partial void LogSentBefore(string orderId, string eventType);
}
