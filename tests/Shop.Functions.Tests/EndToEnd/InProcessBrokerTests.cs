using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Tests.EndToEnd.Harness;
using Xunit;

namespace Shop.Functions.Tests.EndToEnd;

/// <summary>The harness's Service Bus semantics, checked with a recording consumer instead of the app's functions.</summary>
public sealed class InProcessBrokerTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<(string Function, ServiceBusReceivedMessage Message)> _received = new();
    private InProcessBroker _broker = null!;

    [Fact]
    public async Task DeliversATopicEventToEverySubscriptionWhoseRuleMatchesIt()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));

        await _broker.SendAsync(Event("OrderAccepted", "e1"), default);
        await _broker.SendAsync(Event("ShipmentDispatched", "e2"), default);
        await _broker.SendAsync(Event("OrderCompleted", "e3"), default);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(["FanOutWebhooks", "NotifyCustomer", "OrderCompleted"], FunctionsThatGot("e3"));
        Assert.Equal(["FanOutWebhooks", "NotifyCustomer", "ShipmentDispatched"], FunctionsThatGot("e2"));
        Assert.Equal(["FanOutWebhooks", "NotifyCustomer"], FunctionsThatGot("e1"));
    }

    [Fact]
    public async Task DeliversARetryCopyOnlyToTheSubscriptionItNames()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));

        await _broker.SendAsync(Event("OrderCompleted", "e1#catalog#retry2") with
        {
            ApplicationProperties = new Dictionary<string, object> { [RetryProperties.RetryFor] = "catalog" },
        }, default);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(["OrderCompleted"], FunctionsThatGot("e1#catalog#retry2"));
    }

    [Fact]
    public async Task DropsASecondSendOfTheSameMessageIdWithinTheWindow()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));

        await _broker.SendAsync(Command("PlaceOrder:1"), default);
        await _broker.SendAsync(Command("PlaceOrder:1"), default);
        await _broker.SendAsync(Command("PlaceOrder:2"), default);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(["PlaceOrder:1", "PlaceOrder:2"], _received.Select(r => r.Message.MessageId).Order());
        Assert.Equal(1, _broker.Counters.DuplicatesDropped);
    }

    [Fact]
    public async Task HoldsAScheduledMessageUntilItsTime()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));
        var due = DateTimeOffset.UtcNow.AddMilliseconds(400);

        await _broker.SendAsync(Command("PlaceOrder:1") with { ScheduledEnqueueTime = due }, default);
        await Task.Delay(100);
        Assert.Empty(_received);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(due, Assert.Single(_received).Message.EnqueuedTime);
    }

    [Fact]
    public async Task DeliversAMessageScheduledAnHourOutWhenIdleReleasesWhatIsScheduled()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));

        await _broker.SendAsync(Command("PlaceOrder:2") with { ScheduledEnqueueTime = DateTimeOffset.UtcNow.AddHours(1) }, default);
        await Task.Delay(100);
        Assert.Empty(_received);
        // Waiting would take the hour; released, it is delivered within seconds and counted as early.
        await Assert.ThrowsAsync<TimeoutException>(() => _broker.WhenIdleAsync(TimeSpan.FromMilliseconds(200)));
        await _broker.WhenIdleAsync(Patience, releaseScheduled: true);

        Assert.Equal("PlaceOrder:2", Assert.Single(_received).Message.MessageId);
        Assert.Equal(1, _broker.ReleasedEarly);
    }

    [Fact]
    public async Task RedeliversWhatIsAbandonedOrThrownThenDeadLettersAfterMaxDeliveryCount()
    {
        var calls = 0;
        Start(settle: (_, _, actions, message) =>
            Interlocked.Increment(ref calls) % 2 == 0 ? actions.AbandonMessageAsync(message) : throw new InvalidOperationException("handler crashed"));

        await _broker.SendAsync(Command("PlaceOrder:1"), default);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(Enumerable.Range(1, 10), _received.Select(r => r.Message.DeliveryCount));
        var dead = Assert.Single(_broker.DeadLetters);
        Assert.Equal(("place-order", "MaxDeliveryCountExceeded", 10), (dead.Entity.Path, dead.Reason, dead.DeliveryCount));
    }

    [Fact]
    public async Task KeepsAConsumersDeadLetterWithItsReasonAndRefusesASecondSettlement()
    {
        Exception? second = null;
        Start(settle: async (_, _, actions, message) =>
        {
            await actions.DeadLetterMessageAsync(message, null, "ValidationFailed", "bad");
            second = await Record.ExceptionAsync(() => actions.CompleteMessageAsync(message));
        });

        await _broker.SendAsync(Command("PlaceOrder:1"), default);
        await _broker.WhenIdleAsync(Patience);

        var dead = Assert.Single(_broker.DeadLetters);
        Assert.Equal(("ValidationFailed", "bad"), (dead.Reason, dead.Description));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, Assert.IsType<ServiceBusException>(second).Reason);
    }

    [Fact]
    public async Task DeliversEveryMessageTwiceWhenAsked()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message), new BrokerOptions { DeliverTwice = true });

        await _broker.SendAsync(Command("PlaceOrder:1"), default);
        await _broker.WhenIdleAsync(Patience);

        Assert.Equal(["PlaceOrder:1", "PlaceOrder:1"], _received.Select(r => r.Message.MessageId));
    }

    [Fact]
    public async Task RefusesASendToAnEntityThatDoesNotExist()
    {
        Start(settle: (_, _, actions, message) => actions.CompleteMessageAsync(message));

        var error = await Assert.ThrowsAsync<ServiceBusException>(() => _broker.SendAsync(Command("x") with { Destination = "no-such-queue" }, default));

        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, error.Reason);
    }

    [Theory]
    [InlineData("sys.Label = 'A'", "A", null, true)]
    [InlineData("sys.Label = 'A'", "B", null, false)]
    [InlineData("retryFor IS NULL OR retryFor = 'x'", "A", null, true)]
    [InlineData("retryFor IS NULL OR retryFor = 'x'", "A", "x", true)]
    [InlineData("retryFor IS NULL OR retryFor = 'x'", "A", "y", false)]
    [InlineData("(retryFor IS NULL OR retryFor = 'x') AND sys.Label = 'A'", "B", null, false)]
    [InlineData("NOT (retryFor IS NOT NULL) AND sys.Label <> 'B'", "A", null, true)]
    [InlineData("retryFor = 'it''s'", "A", "it's", true)]
    public void SqlFilterMatchesAsServiceBusDoes(string expression, string subject, string? retryFor, bool matches)
    {
        var message = Command("m") with
        {
            Subject = subject,
            ApplicationProperties = retryFor is null ? null : new Dictionary<string, object> { ["retryFor"] = retryFor },
        };

        Assert.Equal(matches, SqlFilter.Parse(expression).Matches(message));
    }

    [Theory]
    [InlineData("sys.Label LIKE 'A%'")]
    [InlineData("sys.Label = 'A")]
    [InlineData("(sys.Label = 'A'")]
    public void SqlFilterRefusesWhatItDoesNotModel(string expression) =>
        Assert.ThrowsAny<FormatException>(() => SqlFilter.Parse(expression));

    private void Start(Func<BrokerEntity, ServiceBusReceivedMessage, BrokerSettlement, ServiceBusReceivedMessage, Task> settle, BrokerOptions? options = null)
    {
        _broker = new InProcessBroker(BrokerTopology.Load(), options ?? new BrokerOptions { RedeliveryDelay = TimeSpan.Zero });
        _broker.StartConsumers((entity, message, actions, _) =>
        {
            _received.Enqueue((entity.FunctionName, message));
            return settle(entity, message, (BrokerSettlement)actions, message);
        });
    }

    private List<string> FunctionsThatGot(string messageId) =>
        [.. _received.Where(r => r.Message.MessageId == messageId).Select(r => r.Function).Order(StringComparer.Ordinal)];

    private static OutgoingMessage Event(string type, string messageId) =>
        new(Topics.OrderEvents, messageId, type, "order-1", BinaryData.FromString("{}"));

    private static OutgoingMessage Command(string messageId) =>
        new(Queues.PlaceOrder, messageId, "PlaceOrder", "order-1", BinaryData.FromString("{}"));

    public async ValueTask DisposeAsync() => await _broker.DisposeAsync();
}
