using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shop.Functions.Notifications.Sending;

namespace Shop.Functions.Notifications;

/// <summary>
/// SIMULATED e-mail: nothing is delivered. Each e-mail is written as an RFC 5322 <c>.eml</c> blob,
/// <c>{orderId}/{eventType}.eml</c> in the <see cref="ContainerName"/> container (created on first use), with a
/// conditional create (<c>If-None-Match: *</c>): the first write wins and a repeat writes nothing, so there is one
/// e-mail per order and event type however often the command arrives. Open a blob with any mail client to read it.
/// </summary>
public sealed partial class SandboxEmailSender : IEmailSender
{
    public const string ContainerName = "sent-emails";

    private readonly BlobContainerClient _container;
    private readonly EmailOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SandboxEmailSender> _logger;

    public SandboxEmailSender(BlobServiceClient blobs, IOptions<EmailOptions> options, TimeProvider time, ILogger<SandboxEmailSender> logger)
    {
        _container = blobs.GetBlobContainerClient(ContainerName);
        _options = options.Value;
        _time = time;
        _logger = logger;
        LogSimulated(ContainerName);
    }

    public static string BlobNameFor(string orderId, string eventType) => $"{orderId}/{eventType}.eml";

    public async Task<bool> SendAsync(SendEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var eml = new EmlMessage(
            _options.From,
            _options.FromName,
            email.To,
            email.ToName,
            email.Subject,
            _time.GetUtcNow(),
            $"<{CustomerMimeMessage.MessageIdFor(email.OrderId, email.EventType, _options.From)}>",
            email.Body);
        var blob = _container.GetBlobClient(BlobNameFor(email.OrderId, email.EventType));
        var written = await CreateOnceAsync(blob, BinaryData.FromString(eml.Format()), cancellationToken);
        LogWritten(email.OrderId, email.EventType, blob.Name, written);
        return written;
    }

    /// <summary>Writes the blob unless it exists; false when it did. Creates the container when it is missing.</summary>
    private async Task<bool> CreateOnceAsync(BlobClient blob, BinaryData content, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            HttpHeaders = new BlobHttpHeaders { ContentType = EmlMessage.MediaType },
        };
        for (var round = 1; ; round++)
        {
            try
            {
                await blob.UploadAsync(content, options, cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.Status == 412)
            {
                return false;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound && round == 1)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            }
        }
    }
}
