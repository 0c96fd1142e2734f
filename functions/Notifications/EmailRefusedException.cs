namespace Shop.Functions.Notifications;

/// <summary>
/// The mail server refused the e-mail for good (an SMTP 5xx: recipient refused, mailbox unavailable, message
/// rejected): no retry can deliver it. <see cref="SendEmailHandler"/> dead-letters the command with reason
/// <c>DeliveryRefused</c>. The message names the SMTP status, never an address.
/// </summary>
public sealed class EmailRefusedException : Exception
{
    public EmailRefusedException()
        : base("The mail server refused the e-mail.")
    {
    }

    public EmailRefusedException(string message)
        : base(message)
    {
    }

    public EmailRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
