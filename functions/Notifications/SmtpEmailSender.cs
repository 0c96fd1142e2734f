using System.Net.Sockets;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications;

/// <summary>
/// Sends customer e-mails to an SMTP server with MailKit (<c>Email:Provider</c> = <c>Smtp</c>; <see cref="SmtpOptions"/>):
/// one connection per e-mail, AUTH when a user is set. Once the server has accepted an e-mail a marker blob
/// <c>{orderId}/{eventType}.smtp</c> (holding only the Message-ID) goes into the <c>sent-emails</c> container, and a
/// repeat of the command sends nothing. A crash between the server's acceptance and the marker sends the e-mail again,
/// under the same Message-ID (<see cref="CustomerMimeMessage"/>). Failures: 5xx refusals of the recipient or the
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

    public SmtpEmailSender(BlobServiceClient blobs, IOptions<EmailOptions> email, IOptions<SmtpOptions> smtp, TimeProvider time, ILogger<SmtpEmailSender> logger)
    {
        _container = blobs.GetBlobContainerClient(SandboxEmailSender.ContainerName);
        _email = email.Value;
        _smtp = smtp.Value;
        _time = time;
        _logger = logger;
    }

    public static string MarkerNameFor(string orderId, string eventType) => $"{orderId}/{eventType}.smtp";

    public async Task<bool> SendAsync(SendEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var marker = _container.GetBlobClient(MarkerNameFor(email.OrderId, email.EventType));
        if (await marker.ExistsAsync(cancellationToken))
        {
            return false;
        }

        using var message = CustomerMimeMessage.Create(_email, email, _time.GetUtcNow());
        var messageId = message.MessageId!;
        await DeliverAsync(message, email, cancellationToken);
        LogAccepted(email.OrderId, email.EventType, messageId);
        await RecordAsync(marker, messageId, email);
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

    /// <summary>Best effort: the e-mail is sent; a marker that could not be written means only that a repeat would send it again.</summary>
    private async Task RecordAsync(BlobClient marker, string messageId, SendEmail email)
    {
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain" },
        };
        var content = BinaryData.FromString($"<{messageId}>\r\n");
        for (var round = 1; ; round++)
        {
            try
            {
                // Not the trigger's token: the e-mail is out, so the record of it should be too.
                await marker.UploadAsync(content, options, CancellationToken.None);
                return;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.Status == 412)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound && round == 1)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            }
            catch (Exception ex) when (ex.IsStorageFailure())
            {
                LogNotRecorded(ex, email.OrderId, email.EventType);
                return;
            }
        }
    }
}
