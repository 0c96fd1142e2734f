using Azure.Messaging.ServiceBus;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>Transient failures: a delayed copy as the next attempt, then RetriesExhausted; never a lost message.</summary>
public sealed class MessagePipelineProcessAsyncOnFailure : IDisposable
{
    private const string Body = """{"orderId":"ord_1","quantity":2}""";
    private const string LogicalId = "TestCommand:ord_1";

    private readonly ConsumerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task SchedulesACopyAsTheNextAttemptThenCompletesTheOriginal()
    {
        var message = ServiceBusMessages.Received(Body, FakeHandler.Subject, LogicalId, "ord_1", new Dictionary<string, object>
        {
            ["tenant"] = "contoso",
        });

        await _harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException("Table storage timed out")));

        _harness.VerifyCompletedOnly(message);
        var copy = Assert.Single(_harness.Sender.Sent);
        Assert.Equal(Queues.PlaceOrder, copy.Destination);
        Assert.Equal("TestCommand:ord_1#retry2", copy.MessageId);
        Assert.Equal(FakeHandler.Subject, copy.Subject);
        Assert.Equal("ord_1", copy.CorrelationId);
        Assert.Equal(OutgoingMessage.JsonContentType, copy.ContentType);
        Assert.Equal(Body, copy.Body.ToString());
        Assert.Equal(ConsumerHarness.Now + TimeSpan.FromSeconds(10), copy.ScheduledEnqueueTime);
        Assert.Equal(
            new Dictionary<string, object>
            {
                ["tenant"] = "contoso",
                [RetryProperties.Attempt] = 2,
                [RetryProperties.OriginalMessageId] = LogicalId,
            },
            copy.ApplicationProperties);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 60)]
    [InlineData(3, 300)]
    [InlineData(4, 1800)]
    [InlineData(5, 7200)]
    public async Task SchedulesEachAttemptWithinTwentyPercentOfItsDelay(int attempt, int delaySeconds)
    {
        using var harness = new ConsumerHarness(jitterSample: null); // real randomness
        var message = Attempt(attempt);

        await harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException()));

        harness.VerifyCompletedOnly(message);
        var copy = Assert.Single(harness.Sender.Sent);
        var delay = copy.ScheduledEnqueueTime!.Value - ConsumerHarness.Now;
        Assert.InRange(delay, TimeSpan.FromSeconds(delaySeconds * 0.8), TimeSpan.FromSeconds(delaySeconds * 1.2));
        Assert.Equal(attempt + 1, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Equal($"{LogicalId}#retry{attempt + 1}", copy.MessageId);
    }

    [Theory]
    [InlineData(0.0, 8)]
    [InlineData(0.5, 10)]
    [InlineData(0.999_999, 12)]
    public async Task SpreadsTheDelayByTheJitter(double sample, int expectedSeconds)
    {
        using var harness = new ConsumerHarness(sample);
        var message = Attempt(1);

        await harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException()));

        var copy = Assert.Single(harness.Sender.Sent);
        Assert.Equal(expectedSeconds, (copy.ScheduledEnqueueTime!.Value - ConsumerHarness.Now).TotalSeconds, 3);
    }

    [Fact]
    public async Task RetriesGivenAHandlerTimeoutThatIsNotTheHostShuttingDown()
    {
        var message = Attempt(1);

        await _harness.ProcessAsync(message, FakeHandler.Failing(new TaskCanceledException("HTTP call timed out")));

        _harness.VerifyCompletedOnly(message);
        Assert.Single(_harness.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedWithTheLastErrorGivenTheLastAttemptFails()
    {
        var message = Attempt(6);

        await _harness.ProcessAsync(message, FakeHandler.Failing(new InvalidOperationException("Payment provider said no")));

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.RetriesExhausted);
        Assert.Contains("6 attempts", description, StringComparison.Ordinal);
        Assert.Contains("System.InvalidOperationException: Payment provider said no", description, StringComparison.Ordinal);
        Assert.Empty(_harness.Sender.Sent);
    }

    [Fact]
    public async Task RunsSixAttemptsInAllFollowingTheCopies()
    {
        var handler = FakeHandler.Failing(new TimeoutException("still down"));
        var deliveries = new List<ServiceBusReceivedMessage> { ServiceBusMessages.Received(Body, FakeHandler.Subject, LogicalId, "ord_1") };

        for (var attempt = 1; attempt <= 6; attempt++)
        {
            await _harness.ProcessAsync(deliveries[^1], handler);
            if (attempt < 6)
            {
                deliveries.Add(ServiceBusMessages.Received(_harness.Sender.Sent.Last()));
            }
        }

        Assert.Equal([1, 2, 3, 4, 5, 6], handler.Calls.Select(call => call.Context.Attempt));
        Assert.All(handler.Calls, call => Assert.Equal(LogicalId, call.Context.MessageId));
        Assert.Equal(
            [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2)],
            _harness.Sender.Sent.Select(copy => copy.ScheduledEnqueueTime!.Value - ConsumerHarness.Now));
        Assert.Equal(5, _harness.Sender.Sent.Select(copy => copy.MessageId).Distinct().Count());
        foreach (var completed in deliveries[..^1])
        {
            _harness.Actions.Verify(a => a.CompleteMessageAsync(completed, It.IsAny<CancellationToken>()), Times.Once);
        }

        _harness.VerifyDeadLetteredOnly(deliveries[^1], DeadLetterReasons.RetriesExhausted);
    }

    [Fact]
    public async Task FollowsAConfiguredSchedule()
    {
        using var harness = new ConsumerHarness(options: new ConsumerOptions { RetryDelays = [TimeSpan.FromSeconds(3)] });

        await harness.ProcessAsync(Attempt(1), FakeHandler.Failing(new TimeoutException()));
        var last = Attempt(2);
        await harness.ProcessAsync(last, FakeHandler.Failing(new TimeoutException()));

        Assert.Equal(ConsumerHarness.Now + TimeSpan.FromSeconds(3), Assert.Single(harness.Sender.Sent).ScheduledEnqueueTime);
        harness.Actions.Verify(a => a.DeadLetterMessageAsync(last, null, DeadLetterReasons.RetriesExhausted, It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task AbandonsTheOriginalGivenTheCopyCannotBeSent()
    {
        _harness.Sender.FailWith = new InvalidOperationException("Service Bus is down");
        var message = Attempt(2);

        await _harness.ProcessAsync(message, FakeHandler.Failing(new TimeoutException()));

        _harness.VerifyAbandonedOnly(message);
        Assert.Equal(1, _harness.Sender.Attempts);
    }

    [Fact]
    public async Task GivesTheHandlerTheLogicalMessageIdOnARetriedCopy()
    {
        var failOnce = 0;
        var handler = new FakeHandler((_, _) => failOnce++ == 0 ? throw new TimeoutException() : MessageOutcome.Completed);
        await _harness.ProcessAsync(ServiceBusMessages.Received(Body, FakeHandler.Subject, LogicalId, "ord_1"), handler);
        var copy = ServiceBusMessages.Received(Assert.Single(_harness.Sender.Sent));

        await _harness.ProcessAsync(copy, handler);

        Assert.Equal("TestCommand:ord_1#retry2", copy.MessageId);
        Assert.Equal([(LogicalId, 1), (LogicalId, 2)], handler.Calls.Select(call => (call.Context.MessageId, call.Context.Attempt)));
        Assert.Equal("ord_1", handler.Calls[1].Context.CorrelationId);
        Assert.Equal(ConsumerHarness.Now + TimeSpan.FromSeconds(10), handler.Calls[1].Context.EnqueuedTime);
    }

    [Theory]
    [InlineData("3", 3)]
    [InlineData(3L, 3)]
    [InlineData(0, 1)]
    [InlineData(-4, 1)]
    [InlineData("three", 1)]
    [InlineData(true, 1)]
    public async Task ReadsTheAttemptLeniently(object property, int expected)
    {
        var handler = new FakeHandler();

        await _harness.ProcessAsync(
            ServiceBusMessages.Received(Body, FakeHandler.Subject, properties: new Dictionary<string, object> { [RetryProperties.Attempt] = property }),
            handler);

        Assert.Equal(expected, Assert.Single(handler.Calls).Context.Attempt);
    }

    private static ServiceBusReceivedMessage Attempt(int attempt) =>
        ServiceBusMessages.Received(
            Body,
            FakeHandler.Subject,
            attempt == 1 ? LogicalId : $"{LogicalId}#retry{attempt}",
            "ord_1",
            attempt == 1 ? null : new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = attempt,
                [RetryProperties.OriginalMessageId] = LogicalId,
            });
}
