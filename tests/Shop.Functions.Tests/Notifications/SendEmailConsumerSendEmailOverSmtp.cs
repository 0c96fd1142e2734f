using System.Globalization;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using MimeKit;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.Sending;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

/// <summary>
/// The <c>send-email</c> trigger with <c>Email:Provider</c> = <c>Smtp</c>, against a real SMTP server
/// (<see cref="SmtpTestServer"/>, npm smtp-server) and Azurite: what the server receives, as MimeKit reads it, and how
/// its 4xx and 5xx answers settle the command.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SendEmailConsumerSendEmailOverSmtp(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private SmtpTestServer _smtp = null!;
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpTestServer.StartAsync();
        _shop = await NotificationsTest.StartAsync(azurite.ConnectionString, Settings(_smtp.Port));
    }

    public async Task DisposeAsync()
    {
        await _shop.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task SendsTheEmailAsMimeWithItsHeadersAndBody()
    {
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var received = await _smtp.NextAsync();
        Assert.Equal("orders@shop.example", received.MailFrom);
        Assert.Equal([NotificationsTest.Email], received.RcptTo);
        var mail = received.Message;
        var from = Assert.IsType<MailboxAddress>(Assert.Single(mail.From));
        Assert.Equal(("Shop", "orders@shop.example"), (from.Name, from.Address));
        var to = Assert.IsType<MailboxAddress>(Assert.Single(mail.To));
        Assert.Equal((NotificationsTest.Name, NotificationsTest.Email), (to.Name, to.Address));
        Assert.Empty(mail.Cc);
        Assert.Empty(mail.Bcc);
        Assert.Equal($"We have received your order {orderId}", mail.Subject);
        Assert.Equal($"{orderId}.OrderAccepted@shop.example", mail.MessageId);
        Assert.Equal(NotificationsTest.Now, mail.Date);
        Assert.Equal("1.0", mail.Headers[HeaderId.MimeVersion]);
        var body = Assert.IsType<TextPart>(mail.Body);
        Assert.Equal("text/plain", body.ContentType.MimeType);
        Assert.Equal("utf-8", body.ContentType.Charset, ignoreCase: true);
        Assert.Equal("Hello Ada,\n\nThank you.\n", body.Text.ReplaceLineEndings("\n"));
        Assert.EndsWith("\r\n\r\nHello Ada,\r\n\r\nThank you.\r\n", received.Raw, StringComparison.Ordinal);
        Assert.DoesNotMatch("[^\r]\n", received.Raw); // CRLF line ends only, as SMTP requires
        Assert.True(await _shop.SentEmails().GetBlobClient(SmtpEmailSender.MarkerNameFor(orderId, "OrderAccepted")).ExistsAsync());
    }

    [Fact]
    public async Task CarriesTheSameMessageIdAsTheSandboxEml()
    {
        var orderId = OrderIds.NewRandom();
        await using var sandbox = await NotificationsTest.StartAsync(azurite.ConnectionString);
        var command = NotificationsTest.Command(orderId);
        await sandbox.Function<SendEmailConsumer>().SendEmail(ServiceBusMessages.Received(command.ToMessage()), _actions.Object, CancellationToken.None);
        await _shop.SentEmails().DeleteBlobIfExistsAsync(SmtpEmailSender.MarkerNameFor(orderId, "OrderAccepted"));

        await ConsumeAsync(ServiceBusMessages.Received(command.ToMessage()));

        var (eml, _) = await sandbox.ReadEmailAsync(orderId, "OrderAccepted");
        Assert.Equal(eml.Headers["Message-ID"], $"<{(await _smtp.NextAsync()).Message.MessageId}>");
    }

    [Fact]
    public async Task EncodesANameAndSubjectBeyondAsciiAndNeutralisesAHeaderInjection()
    {
        var orderId = OrderIds.NewRandom();
        var subject = "Votre commande est expédiée — merci ✨\r\nBcc: victim@example.com";
        var email = NotificationsTest.Command(orderId, toName: "Zoë \"Zed\"\r\nBcc: victim@example.com") with { Subject = subject };

        await ConsumeAsync(ServiceBusMessages.Received(email.ToMessage()));

        var received = await _smtp.NextAsync();
        Assert.Equal([NotificationsTest.Email], received.RcptTo);
        Assert.Empty(received.Message.Bcc);
        Assert.Equal("Zoë \"Zed\" Bcc: victim@example.com", Assert.IsType<MailboxAddress>(Assert.Single(received.Message.To)).Name);
        Assert.Equal("Votre commande est expédiée — merci ✨ Bcc: victim@example.com", received.Message.Subject);
        var headerLines = received.Raw[..received.Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        Assert.DoesNotContain(headerLines, line => line.StartsWith("Bcc", StringComparison.OrdinalIgnoreCase));
        Assert.All(headerLines, line => Assert.True(line.All(char.IsAscii), line));
    }

    [Fact]
    public async Task SendsOnceGivenTheSameCommandTwice()
    {
        var orderId = OrderIds.NewRandom();
        var command = NotificationsTest.Command(orderId);

        await ConsumeAsync(ServiceBusMessages.Received(command.ToMessage()));
        await ConsumeAsync(ServiceBusMessages.Received(command.ToMessage(), deliveryCount: 2));

        _actions.Verify(a => a.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        _actions.VerifyNoOtherCalls();
        await _smtp.NextAsync();
        Assert.Empty(await _smtp.DrainAsync());
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains("was sent before", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendsOnceGivenTwoDeliveriesAtOnce()
    {
        var orderId = OrderIds.NewRandom();
        var command = NotificationsTest.Command(orderId);

        await Task.WhenAll(
            ConsumeAsync(ServiceBusMessages.Received(command.ToMessage())),
            ConsumeAsync(ServiceBusMessages.Received(command.ToMessage(), deliveryCount: 2)));

        await _smtp.NextAsync();
        Assert.Empty(await _smtp.DrainAsync());
        Assert.Empty(_shop.Sender.Sent);
        _actions.Verify(a => a.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task SendsGivenAClaimLeftByASenderThatCrashedMidSend()
    {
        var orderId = OrderIds.NewRandom();
        var container = _shop.SentEmails();
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient(SmtpEmailSender.MarkerNameFor(orderId, "OrderAccepted")).UploadAsync(
            BinaryData.FromString("claimed"),
            new Azure.Storage.Blobs.Models.BlobUploadOptions
            {
                Metadata = new Dictionary<string, string>
                {
                    ["state"] = "sending",
                    ["claimedat"] = NotificationsTest.Now.AddHours(-1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                },
            });
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal($"{orderId}.OrderAccepted@shop.example", (await _smtp.NextAsync()).Message.MessageId);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptGivenA4xxAnswerAndSendsOnIt()
    {
        var orderId = OrderIds.NewRandom();
        var to = $"tempfail-1.{orderId}@example.com";
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId, to: to).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Empty(await _smtp.DrainAsync());
        var retry = Assert.Single(_shop.Sender.Sent);
        Assert.Equal(Queues.SendEmail, retry.Destination);
        Assert.Equal(2, retry.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Contains(_shop.Logs.Records, log => log.Message.Contains("451", StringComparison.Ordinal));

        var second = ServiceBusMessages.Received(retry);
        await ConsumeAsync(second);

        _actions.Verify(a => a.CompleteMessageAsync(second, It.IsAny<CancellationToken>()), Times.Once);
        var received = await _smtp.NextAsync();
        Assert.Equal([to], received.RcptTo);
        Assert.Equal($"{orderId}.OrderAccepted@shop.example", received.Message.MessageId);
        Assert.Single(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersDeliveryRefusedGivenA5xxRecipientRefusal()
    {
        var orderId = OrderIds.NewRandom();
        var to = $"reject.{orderId}@example.com";
        var message = ServiceBusMessages.Received(NotificationsTest.Command(orderId, to: to).ToMessage());

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.DeliveryRefused, "refused the recipient for good (550");
        _actions.Verify(a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), It.IsAny<string>(), It.Is<string?>(d => !d!.Contains(to, StringComparison.Ordinal)), It.IsAny<CancellationToken>()));
        Assert.Empty(_shop.Sender.Sent);
        Assert.Empty(await _smtp.DrainAsync());
        Assert.False(await _shop.SentEmails().GetBlobClient(SmtpEmailSender.MarkerNameFor(orderId, "OrderAccepted")).ExistsAsync());
    }

    [Fact]
    public async Task SchedulesTheNextAttemptGivenTheServerRefusesConnections()
    {
        await using var down = await NotificationsTest.StartAsync(azurite.ConnectionString, Settings(ClosedPort()));
        var message = ServiceBusMessages.Received(NotificationsTest.Command(OrderIds.NewRandom()).ToMessage());

        await down.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        var retry = Assert.Single(down.Sender.Sent);
        Assert.Equal(2, retry.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Contains(down.Logs.Records, log => log.Message.Contains(nameof(EmailSenderUnavailableException), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthenticatesWithTheConfiguredUserAndPassword()
    {
        await using var server = await SmtpTestServer.StartAsync("shop", "s3cret-for-tests");
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, Settings(server.Port, "shop", "s3cret-for-tests"));
        var message = ServiceBusMessages.Received(NotificationsTest.Command(OrderIds.NewRandom()).ToMessage());

        await shop.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        Assert.Equal("shop", (await server.NextAsync()).User);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptGivenAWrongPassword()
    {
        await using var server = await SmtpTestServer.StartAsync("shop", "s3cret-for-tests");
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, Settings(server.Port, "shop", "wrong"));
        var message = ServiceBusMessages.Received(NotificationsTest.Command(OrderIds.NewRandom()).ToMessage());

        await shop.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        Assert.Single(shop.Sender.Sent);
        Assert.Empty(await server.DrainAsync());
        Assert.DoesNotContain(shop.Logs.Records, log => log.Message.Contains("wrong", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SchedulesTheNextAttemptGivenAServerWithoutAuthWhenAuthIsConfigured()
    {
        // The server offers no AUTH: sending unauthenticated would be a different, unconfigured, path.
        await using var shop = await NotificationsTest.StartAsync(azurite.ConnectionString, Settings(_smtp.Port, "shop", "s3cret-for-tests"));
        var message = ServiceBusMessages.Received(NotificationsTest.Command(OrderIds.NewRandom()).ToMessage());

        await shop.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        Assert.Single(shop.Sender.Sent);
        Assert.Empty(await _smtp.DrainAsync());
    }

    internal static Dictionary<string, string?> Settings(int port, string? user = null, string? password = null) => new()
    {
        ["Email:Provider"] = "Smtp",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture),
        ["Email:Smtp:TlsMode"] = "None",
        ["Email:Smtp:UserName"] = user,
        ["Email:Smtp:Password"] = password,
        ["Email:Smtp:Timeout"] = "00:00:10",
    };

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<SendEmailConsumer>().SendEmail(message, _actions.Object, CancellationToken.None);
}
