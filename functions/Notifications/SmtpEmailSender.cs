using System.Net.Sockets;
using Azure.Storage.Blobs;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Shop.Functions.Notifications.Sending;

namespace Shop.Functions.Notifications;

/// <summary>
/// Sends customer e-mails to an SMTP server with MailKit (<c>Email:Provider</c> = <c>Smtp</c>; <see cref="SmtpOptions"/>):
/// one connection per e-mail, AUTH when a user is set. A marker blob <c>{orderId}/{eventType}.smtp</c> in the
/// <c>sent-emails</c> container (holding only the Message-ID) is claimed before the send and marked sent after it
/// (<see cref="SmtpSendClaims"/>), so a repeat of the command, also a concurrent one, sends nothing. A crash between the
/// server's acceptance and the mark sends the e-mail again after the claim's lease, under the same Message-ID
/// (<see cref="CustomerMimeMessage"/>). Failures: 5xx refusals of the recipient or the
/// message throw <see cref="EmailRefusedException"/> (dead-lettered); everything else (4xx, refused connections,
/// timeouts, TLS or login failures) throws <see cref="EmailSenderUnavailableException"/> (retried).
/// </summary>
public sealed partial class SmtpEmailSender : IEmailSender
{
    public const string Provider = "Smtp";

    private readonly BlobContainerClient _container;
    private readonly EmailOptions _email;
    private readonly SmtpOptions _smtp;
    private readonly TimeProvider _time;
    private readonly ILogger<SmtpEmailSender> _logger;
    private readonly SmtpSendClaims _claims;

    public SmtpEmailSender(BlobServiceClient blobs, IOptions<EmailOptions> email, IOptions<SmtpOptions> smtp, TimeProvider time, ILogger<SmtpEmailSender> logger)
    {
        _container = blobs.GetBlobContainerClient(SandboxEmailSender.ContainerName);
        _email = email.Value;
        _smtp = smtp.Value;
        _time = time;
        _logger = logger;
        // Longer than one whole send can take (connect, AUTH, MAIL, RCPT, DATA, QUIT, each bounded by the timeout).
        _claims = new SmtpSendClaims(_container, time, _smtp.Timeout * 8);
    }

    public static string MarkerNameFor(string orderId, string eventType) => $"{orderId}/{eventType}.smtp";

    public async Task<bool> SendAsync(SendEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var marker = _container.GetBlobClient(MarkerNameFor(email.OrderId, email.EventType));
        using var message = CustomerMimeMessage.Create(_email, email, _time.GetUtcNow());
        var messageId = message.MessageId!;
        if (await _claims.ClaimAsync(marker, messageId, cancellationToken) is not { } claim)
        {
            return false;
        }

        try
        {
            await DeliverAsync(message, email, cancellationToken);
        }
        catch
        {
            await _claims.ReleaseAsync(marker, claim);
            throw;
        }

        LogAccepted(email.OrderId, email.EventType, messageId);
        if (!await _claims.MarkSentAsync(marker, messageId, claim))
        {
            LogNotRecorded(email.OrderId, email.EventType);
        }

        return true;
    }

    private async Task DeliverAsync(MimeMessage message, SendEmail email, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)_smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(_smtp.Host, _smtp.Port, SecureSocketsFor(_smtp.TlsMode), cancellationToken);
            if (_smtp is { UserName: { Length: > 0 } user, Password: { } password })
            {
                await client.AuthenticateAsync(user, password, cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException ex) when (IsPermanent(ex))
        {
            LogRefused(email.OrderId, email.EventType, (int)ex.StatusCode, ex.ErrorCode.ToString());
            throw new EmailRefusedException(
                $"The SMTP server refused the {(ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? "recipient" : "message")} for good ({(int)ex.StatusCode} {ex.StatusCode}).", ex);
        }
        catch (SmtpCommandException ex)
        {
            throw new EmailSenderUnavailableException($"The SMTP server answered {(int)ex.StatusCode} {ex.StatusCode} ({ex.ErrorCode}); trying again later.", ex);
        }
        catch (AuthenticationException ex)
        {
            throw new EmailSenderUnavailableException("The SMTP server refused Email:Smtp:UserName and Password.", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmailSenderUnavailableException("The SMTP server did not answer in time.", ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or SslHandshakeException or MailKit.ProtocolException or ServiceNotConnectedException or NotSupportedException)
        {
            throw new EmailSenderUnavailableException($"The SMTP server could not be reached or failed ({ex.GetType().Name}).", ex);
        }
    }

    /// <summary>
    /// A 5xx for the recipient (550 mailbox unavailable, 553 name not allowed, ...) or for the message (554, 552):
    /// the server will never take it. A 5xx for the sender is the app's configuration (Email:From) and is retried,
    /// so the e-mails wait until it is fixed instead of being thrown away.
    /// </summary>
    private static bool IsPermanent(SmtpCommandException ex) =>
        (int)ex.StatusCode is >= 500 and < 600
        && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted;

    private static SecureSocketOptions SecureSocketsFor(SmtpTlsMode mode) => mode switch
    {
        SmtpTlsMode.None => SecureSocketOptions.None,
        SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
        SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
