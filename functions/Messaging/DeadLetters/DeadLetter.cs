using System.Text;
using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging.Consumers;

namespace Shop.Functions.Messaging.DeadLetters;

/// <summary>
/// A dead-lettered message as the API shows it: what it is, why it was dead-lettered, and only the start of its body
/// (<see cref="PreviewLength"/> characters; <see cref="BodyBytes"/> tells how long it is).
/// </summary>
public sealed record DeadLetter(
    long SequenceNumber,
    string MessageId,
    string? OriginalMessageId,
    string? Subject,
    string? CorrelationId,
    string? Reason,
    string? Description,
    DateTimeOffset EnqueuedTime,
    int DeliveryCount,
    int Attempt,
    string? ContentType,
    int BodyBytes,
    string BodyPreview)
{
    public const int PreviewLength = 256;

    // A UTF-16 character takes at most 3 UTF-8 bytes (4 for a surrogate pair): this many bytes hold the preview.
    private const int PreviewBytes = PreviewLength * 4;

    public static DeadLetter From(ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var originalId = message.ApplicationProperties.TryGetValue(RetryProperties.OriginalMessageId, out var id) ? id as string : null;
        var body = message.Body.ToMemory();
        return new DeadLetter(
            message.SequenceNumber,
            message.MessageId,
            originalId,
            message.Subject,
            message.CorrelationId,
            message.DeadLetterReason,
            message.DeadLetterErrorDescription,
            message.EnqueuedTime,
            message.DeliveryCount,
            RetryProperties.AttemptOf(message),
            message.ContentType,
            body.Length,
            Preview(body.Span));
    }

    /// <summary>The first <see cref="PreviewLength"/> characters of the body read as UTF-8, without splitting a surrogate pair.</summary>
    internal static string Preview(ReadOnlySpan<byte> body)
    {
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, PreviewBytes)]);
        if (text.Length <= PreviewLength)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[PreviewLength - 1]) ? PreviewLength - 1 : PreviewLength;
        return text[..cut];
    }
}
