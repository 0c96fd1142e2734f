using System.Text;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>Settlement: complete on success, dead-letter at once when no retry can help, nothing on shutdown.</summary>
public sealed class MessagePipelineProcessAsync : IDisposable
{
    private const string ValidBody = """{"orderId":"ord_1","quantity":2}""";

    private readonly ConsumerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task CompletesGivenHandlerCompletes()
    {
        var handler = new FakeHandler();
        var message = ServiceBusMessages.Received(ValidBody, FakeHandler.Subject, "TestCommand:ord_1", "ord_1");

        await _harness.ProcessAsync(message, handler);

        _harness.VerifyCompletedOnly(message);
        var (command, context) = Assert.Single(handler.Calls);
        Assert.Equal(new TestCommand("ord_1", 2), command);
        Assert.Equal(
            new MessageContext("TestCommand:ord_1", FakeHandler.Subject, "ord_1", 1, ServiceBusMessages.DefaultEnqueuedTime, MaxAttempts: 6),
            context);
        Assert.Empty(_harness.Sender.Sent);
    }

    [Fact]
    public async Task AcceptsEverySubjectTheHandlerLists()
    {
        var message = ServiceBusMessages.Received(ValidBody, "TestCommandV2");

        await _harness.ProcessAsync(message, new FakeHandler());

        _harness.VerifyCompletedOnly(message);
    }

    [Theory]
    [InlineData("ShipOrder")]
    [InlineData("testcommand")]
    [InlineData(null)]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherSubject(string? subject)
    {
        var handler = new FakeHandler();
        var message = ServiceBusMessages.Received(ValidBody, subject);

        await _harness.ProcessAsync(message, handler);

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.UnknownMessageType);
        Assert.Contains(subject ?? "No Subject", description, StringComparison.Ordinal);
        Assert.Contains(Queues.PlaceOrder, description, StringComparison.Ordinal);
        Assert.Contains(FakeHandler.Subject, description, StringComparison.Ordinal);
        Assert.Empty(handler.Calls);
    }

    [Theory]
    [InlineData("not json", "invalid")]
    [InlineData("", "empty")]
    [InlineData("null", "JSON null")]
    [InlineData("[1, 2]", "TestCommand")]
    [InlineData("""{"orderId": 42}""", "$.orderId")]
    [InlineData("""{"orderId": "ord_1", "quantity": "two"}""", "$.quantity")]
    public async Task DeadLettersMalformedMessageGivenABodyThatDoesNotRead(string body, string expected)
    {
        var handler = new FakeHandler();
        var message = ServiceBusMessages.Received(body, FakeHandler.Subject);

        await _harness.ProcessAsync(message, handler);

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.MalformedMessage);
        Assert.Contains(expected, description, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", description, StringComparison.Ordinal); // no stack trace
        Assert.Empty(handler.Calls);
    }

    [Fact]
    public async Task DeadLettersMalformedMessageWithAShortPreviewGivenALargeBody()
    {
        var body = new BinaryData(Encoding.UTF8.GetBytes("<order>" + new string('x', 100_000) + "</order>"));
        var message = ServiceBusMessages.Received(body, FakeHandler.Subject);

        await _harness.ProcessAsync(message, new FakeHandler());

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.MalformedMessage);
        Assert.Contains("\"<order>xxxxx", description, StringComparison.Ordinal);
        Assert.Contains("100015 bytes", description, StringComparison.Ordinal);
        Assert.InRange(description.Length, 1, 400);
    }

    [Fact]
    public async Task DeadLettersMalformedMessageGivenInvalidUtf8()
    {
        byte[] body = [.. "{\"orderId\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var message = ServiceBusMessages.Received(new BinaryData(body), FakeHandler.Subject);

        await _harness.ProcessAsync(message, new FakeHandler());

        _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.MalformedMessage);
    }

    [Fact]
    public async Task DeadLettersValidationFailedWithTheHandlersDescriptionGivenItRejects()
    {
        var handler = new FakeHandler((_, _) => MessageOutcome.Reject("Order ord_1 does not exist."));
        var message = ServiceBusMessages.Received(ValidBody, FakeHandler.Subject);

        await _harness.ProcessAsync(message, handler);

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.ValidationFailed);
        Assert.Equal("Order ord_1 does not exist.", description);
        Assert.Empty(_harness.Sender.Sent);
    }

    [Fact]
    public async Task LeavesTheMessageUnsettledGivenTheHostShutsDown()
    {
        using var shutdown = new CancellationTokenSource();
        var handler = new FakeHandler((_, _) =>
        {
            shutdown.Cancel();
            throw new OperationCanceledException(shutdown.Token);
        });
        var message = ServiceBusMessages.Received(ValidBody, FakeHandler.Subject);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => _harness.ProcessAsync(message, handler, cancellationToken: shutdown.Token));

        _harness.Actions.VerifyNoOtherCalls();
        Assert.Empty(_harness.Sender.Sent);
    }

    [Fact]
    public async Task ScopesEveryLogLineWithTheOrderAndTheDelivery()
    {
        var handler = new FakeHandler(logger: _harness.HandlerLogger);
        var message = ServiceBusMessages.Received(
            ValidBody, FakeHandler.Subject, "TestCommand:ord_1#retry3", "ord_1", new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 3,
                [RetryProperties.OriginalMessageId] = "TestCommand:ord_1",
            });

        await _harness.ProcessAsync(message, handler);

        var handlerLog = Assert.Single(_harness.Logs.Records, log => log.Category == "Handler");
        var pipelineLog = Assert.Single(_harness.Logs.Records, log => log.Category == typeof(MessagePipeline).FullName);
        foreach (var log in new[] { handlerLog, pipelineLog })
        {
            Assert.Equal("ord_1", log.Scope["OrderId"]);
            Assert.Equal("TestCommand:ord_1", log.Scope["MessageId"]);
            Assert.Equal(FakeHandler.Subject, log.Scope["Subject"]);
            Assert.Equal(3, log.Scope["Attempt"]);
            Assert.Equal(Queues.PlaceOrder, log.Scope["Entity"]);
        }
    }
}
