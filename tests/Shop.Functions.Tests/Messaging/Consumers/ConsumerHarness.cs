using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>
/// A <see cref="MessagePipeline"/> with a fixed clock and known jitter, the in-memory sender, captured logs and a
/// mocked <see cref="ServiceBusMessageActions"/> whose settlement calls the tests verify.
/// </summary>
public sealed class ConsumerHarness : IDisposable
{
    public static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static readonly ConsumerEntity PlaceOrderQueue = ConsumerEntity.Queue(Queues.PlaceOrder);

    private readonly ILoggerFactory _loggers;

    /// <param name="jitterSample">What the pipeline's <see cref="Random.NextDouble"/> returns: 0.5 is no jitter,
    /// 0 the shortest delay, just under 1 the longest. Null: real randomness.</param>
    public ConsumerHarness(double? jitterSample = 0.5, ConsumerOptions? options = null)
    {
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        var time = new FixedTimeProvider(Now);
        var logger = _loggers.CreateLogger<MessagePipeline>();
        var wrapped = Options.Create(options ?? new ConsumerOptions());
        Pipeline = jitterSample is { } sample
            ? new MessagePipeline(Sender, wrapped, time, logger, new FixedRandom(sample))
            : new MessagePipeline(Sender, wrapped, time, logger);
    }

    public MessagePipeline Pipeline { get; }

    public InMemoryMessageSender Sender { get; } = new();

    public Mock<ServiceBusMessageActions> Actions { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public ILogger HandlerLogger => _loggers.CreateLogger("Handler");

    public Task ProcessAsync(
        ServiceBusReceivedMessage message,
        FakeHandler handler,
        ConsumerEntity? entity = null,
        ConsumerOptions? schedule = null,
        CancellationToken cancellationToken = default) =>
        Pipeline.ProcessAsync(entity ?? PlaceOrderQueue, message, Actions.Object, handler, schedule, cancellationToken);

    public void VerifyCompletedOnly(ServiceBusReceivedMessage message)
    {
        Actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        Actions.VerifyNoOtherCalls();
    }

    public void VerifyAbandonedOnly(ServiceBusReceivedMessage message)
    {
        Actions.Verify(a => a.AbandonMessageAsync(message, It.IsAny<IDictionary<string, object>?>(), It.IsAny<CancellationToken>()), Times.Once);
        Actions.VerifyNoOtherCalls();
    }

    /// <summary>
    /// Dead-lettered exactly once, with <paramref name="reason"/> and a description (returned), and no other settlement
    /// than those already verified.
    /// </summary>
    public string VerifyDeadLetteredOnly(ServiceBusReceivedMessage message, string reason)
    {
        Actions.Verify(
            a => a.DeadLetterMessageAsync(
                message,
                It.IsAny<Dictionary<string, object>?>(),
                reason,
                It.Is<string?>(d => !string.IsNullOrWhiteSpace(d)),
                It.IsAny<CancellationToken>()),
            Times.Once);
        Actions.VerifyNoOtherCalls();
        var deadLettered = Actions.Invocations.Single(call => call.Method.Name == nameof(ServiceBusMessageActions.DeadLetterMessageAsync));
        return (string?)deadLettered.Arguments[3] ?? throw new InvalidOperationException("No description.");
    }

    public void Dispose()
    {
        _loggers.Dispose();
        Logs.Dispose();
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class FixedRandom(double sample) : Random
    {
        public override double NextDouble() => sample;
    }
}
