namespace Shop.Functions.Notifications;

/// <summary>
/// The mail server could not be reached or answered with a transient error (an SMTP 4xx, a refused connection, a
/// timeout, a failed login): the e-mail may be sent later, and the <c>send-email</c> consumer's pipeline tries again on
/// its schedule. The message names the failure, never an address or a password.
/// </summary>
public sealed class EmailSenderUnavailableException : Exception
{
    public EmailSenderUnavailableException()
        : base("The mail server is unavailable.")
    {
    }

    public EmailSenderUnavailableException(string message)
        : base(message)
    {
    }

    public EmailSenderUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
