using Shop.Functions.Notifications.Sending;

namespace Shop.Functions.Notifications;

/// <summary>
/// Sends customer e-mails (<c>Email:Provider</c> chooses the implementation). Sends at most one e-mail per order and
/// event type, however often it is called with it. A transient failure throws; the <c>send-email</c> consumer then
/// tries again later. Implementations never log addresses, names or bodies.
/// </summary>
public interface IEmailSender
{
    /// <returns>True when this call sent the e-mail; false when it had been sent before and nothing new was sent.</returns>
    Task<bool> SendAsync(SendEmail email, CancellationToken cancellationToken);
}
