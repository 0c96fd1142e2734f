using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

public sealed class DeadLetterFrom
{
    [Fact]
    public void MapsEveryFieldAndOnlyTheStartOfTheBody()
    {
        var body = $$"""{"orderId":"ord_1","note":"{{new string('x', 300)}}","tail":"END"}""";
        var enqueued = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var message = DeadLettered.Message(
            "OrderCompleted:ord_1:6#catalog#retry6",
            "OrderCompleted",
            body,
            new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 6,
                [RetryProperties.OriginalMessageId] = "OrderCompleted:ord_1:6",
            },
            deliveryCount: 3,
            enqueuedTime: enqueued);

        var deadLetter = DeadLetter.From(message);

        Assert.Equal(
            new DeadLetter(
                message.SequenceNumber,
                "OrderCompleted:ord_1:6#catalog#retry6",
                "OrderCompleted:ord_1:6",
                "OrderCompleted",
                "ord_1",
                DeadLettered.Reason,
                DeadLettered.Description,
                enqueued,
                3,
                6,
                "application/json",
                body.Length,
                body[..256]),
            deadLetter);
        Assert.DoesNotContain("END", deadLetter.BodyPreview, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepsAShortBodyWholeAndLeavesOutWhatTheMessageDoesNotCarry()
    {
        var message = ServiceBusMessages.Received("""{"orderId":"ord_1"}""", subject: null);

        var deadLetter = DeadLetter.From(message);

        Assert.Equal("""{"orderId":"ord_1"}""", deadLetter.BodyPreview);
        Assert.Equal((null, null, null, null, 1), (deadLetter.Subject, deadLetter.Reason, deadLetter.Description, deadLetter.OriginalMessageId, deadLetter.Attempt));
    }

    [Fact]
    public void CountsCharactersNotBytesAndNeverSplitsASurrogatePair()
    {
        // 255 three-byte characters, then a four-byte one (two UTF-16 chars) across the 256th position.
        var body = new string('\u20ac', 255) + "\U0001F600" + "tail";

        var preview = DeadLetter.Preview(System.Text.Encoding.UTF8.GetBytes(body));

        Assert.Equal(new string('\u20ac', 255), preview);
        Assert.Equal(new string('\u20ac', 256), DeadLetter.Preview(System.Text.Encoding.UTF8.GetBytes(new string('\u20ac', 400))));
    }

    [Fact]
    public void ReadsAnEmptyBody()
    {
        var deadLetter = DeadLetter.From(ServiceBusMessages.Received(BinaryData.Empty, "PlaceOrder"));

        Assert.Equal((0, string.Empty), (deadLetter.BodyBytes, deadLetter.BodyPreview));
    }
}
