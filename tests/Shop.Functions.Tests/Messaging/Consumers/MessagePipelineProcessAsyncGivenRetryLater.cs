using Microsoft.Extensions.Logging;
using Moq;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>A handler's RetryLater outcome, and a consumer's own retry schedule.</summary>
public sealed class MessagePipelineProcessAsyncGivenRetryLater : IDisposable
{
    private const string Body = """{"orderId":"ord_1","quantity":2}""";
    private const string LogicalId = "TestCommand:ord_1";

    private static readonly ConsumerOptions TwoHourSchedule = new() { RetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromHours(2)] };

    private readonly ConsumerHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task SchedulesTheNextAttemptOnTheConsumersOwnSchedule()
    {
        var message = Attempt(2);

        await _harness.ProcessAsync(message, new FakeHandler((_, _) => MessageOutcome.RetryLater("endpoint answered 503")), schedule: TwoHourSchedule);

        _harness.VerifyCompletedOnly(message);
        var copy = Assert.Single(_harness.Sender.Sent);
        Assert.Equal(ConsumerHarness.Now + TimeSpan.FromHours(2), copy.ScheduledEnqueueTime);
        Assert.Equal($"{LogicalId}#retry3", copy.MessageId);
        var logged = Assert.Single(_harness.Logs.Records, entry => entry.Level == LogLevel.Warning);
        Assert.Contains("endpoint answered 503", logged.Message, StringComparison.Ordinal);
        Assert.Null(logged.Exception);
    }

    [Fact]
    public async Task TellsTheHandlerWhichAttemptIsItsLast()
    {
        var handler = new FakeHandler((_, _) => MessageOutcome.RetryLater("still failing"));

        await _harness.ProcessAsync(Attempt(2), handler, schedule: TwoHourSchedule);
        await _harness.ProcessAsync(Attempt(3), handler, schedule: TwoHourSchedule);

        Assert.Equal([(2, 3, false), (3, 3, true)], handler.Calls.Select(call => (call.Context.Attempt, call.Context.MaxAttempts, call.Context.IsLastAttempt)));
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedWithTheReasonAfterTheLastAttempt()
    {
        var message = Attempt(3);

        await _harness.ProcessAsync(message, new FakeHandler((_, _) => MessageOutcome.RetryLater("endpoint answered 503")), schedule: TwoHourSchedule);

        var description = _harness.VerifyDeadLetteredOnly(message, DeadLetterReasons.RetriesExhausted);
        Assert.Equal("Failed 3 attempts; the last with endpoint answered 503", description);
        Assert.Empty(_harness.Sender.Sent);
    }

    [Fact]
    public async Task KeepsTheAppScheduleForConsumersWithoutTheirOwn()
    {
        var handler = new FakeHandler((_, _) => MessageOutcome.RetryLater("later"));

        await _harness.ProcessAsync(Attempt(3), handler);

        Assert.Equal(6, Assert.Single(handler.Calls).Context.MaxAttempts);
        Assert.Equal(ConsumerHarness.Now + TimeSpan.FromMinutes(5), Assert.Single(_harness.Sender.Sent).ScheduledEnqueueTime);
    }

    private static Azure.Messaging.ServiceBus.ServiceBusReceivedMessage Attempt(int attempt) =>
        ServiceBusMessages.Received(
            Body,
            FakeHandler.Subject,
            $"{LogicalId}#retry{attempt}",
            "ord_1",
            new Dictionary<string, object> { [Functions.Messaging.Consumers.RetryProperties.Attempt] = attempt, [Functions.Messaging.Consumers.RetryProperties.OriginalMessageId] = LogicalId });
}
