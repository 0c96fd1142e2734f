using MimeKit;
using MimeKit.Text;
using Shop.Functions.Notifications.Sending;

namespace Shop.Functions.Notifications;

/// <summary>
/// A customer e-mail as MIME, built by MimeKit: one UTF-8 text/plain part, the same headers as the sandbox's
/// <c>.eml</c> (<see cref="EmlMessage"/>), and a Message-ID that the order id and event type fix, so every attempt at
/// one e-mail carries the same id and a receiver can tell a repeat.
/// </summary>
public static class CustomerMimeMessage
{
    /// <summary>The Message-ID without angle brackets: <c>{orderId}.{eventType}@{domain of From}</c>.</summary>
    public static string MessageIdFor(string orderId, string eventType, string from) =>
        $"{orderId}.{eventType}@{EmailAddresses.DomainOf(from)}";

    /// <exception cref="ArgumentException">The sender or recipient is not one valid address.</exception>
    public static MimeMessage Create(EmailOptions options, SendEmail email, DateTimeOffset date)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(email);
        if (!EmailAddresses.IsValid(options.From) || !EmailAddresses.IsValid(email.To))
        {
            throw new ArgumentException("The sender and the recipient must each be a single e-mail address.", nameof(email));
        }

        var message = new MimeMessage { Date = date.ToUniversalTime() };
        message.From.Add(new MailboxAddress(HeaderText.SingleLine(options.FromName), options.From));
        message.To.Add(new MailboxAddress(HeaderText.SingleLine(email.ToName), email.To));
        message.Subject = HeaderText.SingleLine(email.Subject);
        message.MessageId = MessageIdFor(email.OrderId, email.EventType, options.From);
        message.Body = new TextPart(TextFormat.Plain) { Text = email.Body.ReplaceLineEndings("\r\n") };
        return message;
    }
}
