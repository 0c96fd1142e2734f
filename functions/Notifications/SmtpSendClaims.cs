using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Shop.Functions.Platform;

namespace Shop.Functions.Notifications;

/// <summary>
/// One SMTP send per order and event, also when two deliveries of the command run at once: before sending, a delivery
/// claims the marker blob <c>{orderId}/{eventType}.smtp</c> (conditional create, metadata <c>state=sending</c> and the
/// claim time); after the server's acceptance it marks it <c>sent</c>; after a failure it deletes its claim. A
/// delivery that finds the e-mail sent sends nothing; one that finds a fresh claim waits a moment for it to end, then
/// retries later (transient); a claim older than the lease (a sender that crashed mid-send) is taken over.
/// </summary>
internal sealed class SmtpSendClaims(BlobContainerClient container, TimeProvider time, TimeSpan lease)
{
    private const string State = "state";
    private const string ClaimedAt = "claimedat";
    private const string Sending = "sending";
    private const string Sent = "sent";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    /// <summary>The claim's ETag; null when the e-mail was sent before.</summary>
    /// <exception cref="EmailSenderUnavailableException">Another delivery is sending it now.</exception>
    public async Task<ETag?> ClaimAsync(BlobClient marker, string messageId, CancellationToken cancellationToken)
    {
        var content = BinaryData.FromString($"<{messageId}>\r\n");
        var waited = TimeSpan.Zero;
        for (var round = 1; ; round++)
        {
            try
            {
                return await UploadAsync(marker, content, Sending, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound && round == 1)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                continue;
            }
            catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.BlobAlreadyExists || ex.Status is 409 or 412)
            {
            }

            BlobProperties existing;
            try
            {
                existing = (await marker.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                continue; // released in between: claim it
            }

            if (existing.Metadata.TryGetValue(State, out var state) && state == Sent)
            {
                return null;
            }

            if (time.GetUtcNow() - ClaimTimeOf(existing) >= lease)
            {
                try
                {
                    return await UploadAsync(marker, content, Sending, new BlobRequestConditions { IfMatch = existing.ETag }, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue;
                }
            }

            if (waited >= MaxWait)
            {
                throw new EmailSenderUnavailableException("Another delivery of this e-mail is sending it; trying again later.");
            }

            await Task.Delay(Poll, cancellationToken);
            waited += Poll;
        }
    }

    /// <summary>Best effort: the e-mail is out; a marker left <c>sending</c> is taken over after the lease, so a repeat then sends it again.</summary>
    public async Task<bool> MarkSentAsync(BlobClient marker, string messageId, ETag claim)
    {
        try
        {
            await UploadAsync(marker, BinaryData.FromString($"<{messageId}>\r\n"), Sent, new BlobRequestConditions { IfMatch = claim }, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            return false;
        }
    }

    /// <summary>Best effort: frees the claim after a failed send, so the next attempt need not wait out the lease.</summary>
    public async Task ReleaseAsync(BlobClient marker, ETag claim)
    {
        try
        {
            await marker.DeleteIfExistsAsync(conditions: new BlobRequestConditions { IfMatch = claim }, cancellationToken: CancellationToken.None);
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            // The lease expires by itself.
        }
    }

    private async Task<ETag> UploadAsync(BlobClient marker, BinaryData content, string state, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            Conditions = conditions,
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain" },
            Metadata = new Dictionary<string, string>
            {
                [State] = state,
                [ClaimedAt] = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        return (await marker.UploadAsync(content, options, cancellationToken)).Value.ETag;
    }

    private static DateTimeOffset ClaimTimeOf(BlobProperties properties) =>
        properties.Metadata.TryGetValue(ClaimedAt, out var value) && long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : properties.LastModified;
}
