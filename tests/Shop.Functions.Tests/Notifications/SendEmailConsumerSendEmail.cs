using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.Sending;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

/// <summary>The <c>send-email</c> trigger with the sandbox sender: each e-mail an .eml blob in Azurite.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SendEmailConsumerSendEmail(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await NotificationsTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task WritesTheEmailAsAnEmlBlobWithItsHeaders()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var (eml, properties) = await _shop.ReadEmailAsync(orderId, "OrderAccepted");
        Assert.Equal("message/rfc822", properties.ContentType);
        Assert.Equal(
            ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"],
            eml.Headers.Keys);
        Assert.Equal(NotificationsTest.Rfc5322Date(NotificationsTest.Now), eml.Headers["Date"]);
        Assert.Equal("\"Shop\" <orders@shop.example>", eml.Headers["From"]);
        Assert.Equal("\"Ada Lovelace\" <ada@example.com>", eml.Headers["To"]);
        Assert.Equal($"We have received your order {orderId}", eml.Headers["Subject"]);
        Assert.Equal($"<{orderId}.OrderAccepted@shop.example>", eml.Headers["Message-ID"]);
        Assert.Equal("1.0", eml.Headers["MIME-Version"]);
        Assert.Equal("text/plain; charset=utf-8", eml.Headers["Content-Type"]);
        Assert.Equal("Hello Ada,\r\n\r\nThank you.\r\n", eml.Body);
        Assert.DoesNotMatch("[^\r]\n", eml.Text); // CRLF line ends only
    }

    [Fact]
    public async Task WritesOneBlobAndLeavesItUnchangedGivenTheSameEmailTwice()
    {
        var orderId = OrderIds.NewRandom();
        var first = NotificationsTest.Command(orderId);
        await ConsumeAsync(ServiceBusMessages.Received(first.ToMessage()));
        var (written, before) = await _shop.ReadEmailAsync(orderId, "OrderAccepted");

        await ConsumeAsync(ServiceBusMessages.Received(first.ToMessage(), deliveryCount: 2));
        await ConsumeAsync(ServiceBusMessages.Received((first with { Subject = "Changed", Body = "Changed" }).ToMessage()));

        _actions.Verify(a => a.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Exactly(3));
        _actions.VerifyNoOtherCalls();
        Assert.Equal([$"{orderId}/OrderAccepted.eml"], await _shop.EmailBlobsAsync(orderId));
        var (unchanged, after) = await _shop.ReadEmailAsync(orderId, "OrderAccepted");
        Assert.Equal(before.ETag, after.ETag);
        Assert.Equal(written.Text, unchanged.Text);
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains("was sent before", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NeutralisesAHeaderInjectionInTheNameAndSubject()
    {
        var orderId = OrderIds.NewRandom();
        var email = NotificationsTest.Command(orderId, toName: "Eve\r\nBcc: victim@example.com\r\n\r\nInjected body") with
        {
            Subject = "Hello\nX-Injected: yes\u2028Reply-To: eve@example.com",
        };

        await ConsumeAsync(ServiceBusMessages.Received(email.ToMessage()));

        var (eml, _) = await _shop.ReadEmailAsync(orderId, "OrderAccepted");
        Assert.Equal(8, eml.HeaderLines.Count);
        Assert.DoesNotContain(eml.HeaderLines, line => line.StartsWith("Bcc", StringComparison.OrdinalIgnoreCase) || line.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase) || line.StartsWith("Reply-To", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("\"Eve Bcc: victim@example.com Injected body\" <ada@example.com>", eml.Headers["To"]);
        Assert.Equal("Hello X-Injected: yes Reply-To: eve@example.com", eml.Decoded("Subject"));
    }

    [Fact]
    public async Task EncodesANameAndSubjectBeyondAscii()
    {
        var orderId = OrderIds.NewRandom();
        var subject = "Votre commande est expédiée — merci beaucoup pour votre confiance, à bientôt ✨";
        var email = NotificationsTest.Command(orderId, toName: "Zoë \"Zed\" Ångström") with { Subject = subject };

        await ConsumeAsync(ServiceBusMessages.Received(email.ToMessage()));

        var (eml, _) = await _shop.ReadEmailAsync(orderId, "OrderAccepted");
        Assert.StartsWith("=?utf-8?B?", eml.Headers["To"], StringComparison.Ordinal);
        Assert.Equal("Zoë \"Zed\" Ångström <ada@example.com>", eml.Decoded("To"));
        Assert.Equal(subject, eml.Decoded("Subject"));
        Assert.All(eml.HeaderLines, line => Assert.InRange(line.Length, 1, 998));
        Assert.All(eml.HeaderLines, line => Assert.True(line.All(char.IsAscii), line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("ada@localhost")]
    [InlineData("Ada <ada@example.com>")]
    [InlineData("ada@example.com, eve@example.com")]
    [InlineData("ada@example.com\r\nBcc: eve@example.com")]
    public async Task DeadLettersAsValidationFailedGivenAnInvalidRecipient(string to)
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId, to: to).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "recipient");
        Assert.Empty(await _shop.EmailBlobsAsync(orderId));
    }

    [Fact]
    public async Task DeadLettersAsValidationFailedGivenAMissingRecipient()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(
            $$"""{"orderId":"{{orderId}}","eventType":"OrderAccepted","subject":"Hi","body":"Hello"}""", nameof(SendEmail), correlationId: orderId);

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "no recipient");
        Assert.Empty(await _shop.EmailBlobsAsync(orderId));
    }

    [Theory]
    [InlineData("../ord_aaaaaaaaaaaaaaaaaaaaaaaaaa", "OrderAccepted", "orderId")]
    [InlineData(null, "../../OrderAccepted", "eventType")]
    public async Task DeadLettersAsValidationFailedGivenIdsThatAreNotTokens(string? orderId, string eventType, string field)
    {
        var email = NotificationsTest.Command(orderId ?? OrderIds.NewRandom(), eventType);
        var message = ServiceBusMessages.Received(email.ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, $"no valid {field}");
    }

    [Fact]
    public async Task SchedulesTheNextAttemptAndCompletesGivenBlobStorageIsDown()
    {
        await using var down = await NotificationsTest.StartAsync(NotificationsTest.BlobsUnreachable(azurite));
        var email = NotificationsTest.Command(OrderIds.NewRandom());
        var message = ServiceBusMessages.Received(email.ToMessage());

        await down.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        var copy = Assert.Single(down.Sender.Sent);
        Assert.Equal(Queues.SendEmail, copy.Destination);
        Assert.Equal($"SendEmail:{email.OrderId}:OrderAccepted#retry2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedGivenBlobStorageIsDownOnTheLastAttempt()
    {
        await using var down = await NotificationsTest.StartAsync(NotificationsTest.BlobsUnreachable(azurite));
        var email = NotificationsTest.Command(OrderIds.NewRandom());
        var message = ServiceBusMessages.Received(email.ToMessage() with
        {
            MessageId = $"SendEmail:{email.OrderId}:OrderAccepted#retry6",
            ApplicationProperties = new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 6,
                [RetryProperties.OriginalMessageId] = $"SendEmail:{email.OrderId}:OrderAccepted",
            },
        });

        await down.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.RetriesExhausted, "6 attempts");
        Assert.Empty(down.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersMalformedMessageGivenABodyThatIsNotACommand()
    {
        var message = ServiceBusMessages.Received("{not json", nameof(SendEmail));

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.MalformedMessage, "SendEmail");
    }

    [Fact]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherSubject()
    {
        var message = ServiceBusMessages.Received(NotificationsTest.Command(OrderIds.NewRandom()).ToMessage() with { Subject = "SendSms" });

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.UnknownMessageType, "SendSms");
    }

    [Fact]
    public async Task CreatesTheContainerOnFirstUse()
    {
        // Its own, empty Azurite: the shared one's container may exist already.
        await using var server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        await using var fresh = await NotificationsTest.StartAsync(server.ConnectionString);
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId).ToMessage());

        await fresh.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal([$"{orderId}/OrderAccepted.eml"], await fresh.EmailBlobsAsync(orderId));
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);
}
