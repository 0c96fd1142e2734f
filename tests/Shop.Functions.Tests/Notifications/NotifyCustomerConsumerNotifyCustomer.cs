using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.NotifyCustomer;
using Shop.Functions.Notifications.Sending;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

/// <summary>The <c>order-events/notifications</c> trigger as the host calls it: the app's services, Azurite, mocked settlement.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class NotifyCustomerConsumerNotifyCustomer(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public static TheoryData<string> CustomerFacingEvents => [.. CustomerEmails.EventTypes];

    public static TheoryData<string> InternalEvents =>
        [
            OrderEventTypes.StockReserved, OrderEventTypes.PaymentCaptured, OrderEventTypes.ShipmentRequested, OrderEventTypes.StockReleased,
            // OrderCancelled tells the customer; the carrier's cancellation and the saga's request are not e-mailed.
            OrderEventTypes.ShipmentCancelled, OrderEventTypes.ShipmentCancellationRequested,
        ];

    public async Task InitializeAsync() => _shop = await NotificationsTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Theory]
    [MemberData(nameof(CustomerFacingEvents))]
    public async Task SendsOneEmailCommandToTheCustomerGivenACustomerFacingEvent(string eventType)
    {
        var order = await _shop.AddOrderAsync();
        var message = NotificationsTest.Received(NotificationsTest.Event(eventType, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var command = Assert.Single(_shop.EmailCommands(order.OrderId));
        Assert.Equal($"SendEmail:{order.OrderId}:{eventType}", command.MessageId);
        Assert.Equal(nameof(SendEmail), command.Subject);
        Assert.Equal(order.OrderId, command.CorrelationId);
        var email = NotificationsTest.Read(command);
        Assert.Equal((order.OrderId, eventType, NotificationsTest.Email, NotificationsTest.Name), (email.OrderId, email.EventType, email.To, email.ToName));
        Assert.Contains(order.OrderId, email.Subject, StringComparison.Ordinal);
        Assert.StartsWith($"Hello {NotificationsTest.Name},", email.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(InternalEvents))]
    public async Task CompletesWithoutAnEmailGivenAnEventCustomersAreNotToldAbout(string eventType)
    {
        var order = await _shop.AddOrderAsync();
        var message = NotificationsTest.Received(NotificationsTest.Event(eventType, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersAsUnknownMessageTypeGivenASubjectThatIsNoOrderEvent()
    {
        var order = await _shop.AddOrderAsync();
        var message = NotificationsTest.Received(NotificationsTest.Event("InvoiceIssued", order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.UnknownMessageType, "InvoiceIssued");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task SendsOneCommandGivenTheSameEventTwice()
    {
        var order = await _shop.AddOrderAsync();
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderCompleted, order.OrderId);

        await ConsumeAsync(NotificationsTest.Received(orderEvent));
        await ConsumeAsync(NotificationsTest.Received(orderEvent));

        Assert.Equal([$"SendEmail:{order.OrderId}:OrderCompleted"], _shop.EmailCommands(order.OrderId).Select(command => command.MessageId));
        _actions.Verify(a => a.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task WritesOneEmailEndToEndGivenTheSameEventTwice()
    {
        var order = await _shop.AddOrderAsync();
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId);
        await ConsumeAsync(NotificationsTest.Received(orderEvent));
        await ConsumeAsync(NotificationsTest.Received(orderEvent));

        // The one command is delivered twice, as a redelivery would be.
        var command = Assert.Single(_shop.EmailCommands(order.OrderId));
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await _shop.Function<SendEmailConsumer>().SendEmail(ServiceBusMessages.Received(command), _actions.Object, CancellationToken.None);
        }

        Assert.Equal([$"{order.OrderId}/OrderAccepted.eml"], await _shop.EmailBlobsAsync(order.OrderId));
        _actions.Verify(a => a.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Exactly(4));
        _actions.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task IgnoresAStaleEventGivenALaterOneWasEmailedAlready()
    {
        var order = await _shop.AddOrderAsync(sequence: 9);

        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderCompleted, order.OrderId, sequence: 9)));
        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId, sequence: 1)));

        Assert.Equal([$"SendEmail:{order.OrderId}:OrderCompleted"], _shop.EmailCommands(order.OrderId).Select(command => command.MessageId));
    }

    [Fact]
    public async Task SendsTheRefundGivenItArrivesAfterTheCancellationWasEmailed()
    {
        var order = await _shop.AddOrderAsync(sequence: 8);

        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderCancelled, order.OrderId, sequence: 8)));
        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.PaymentRefunded, order.OrderId, sequence: 6)));
        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId, sequence: 1)));

        Assert.Equal(
            [$"SendEmail:{order.OrderId}:OrderCancelled", $"SendEmail:{order.OrderId}:PaymentRefunded"],
            _shop.EmailCommands(order.OrderId).Select(command => command.MessageId));
    }

    [Fact]
    public async Task SendsEachEventInOrderGivenRisingSequences()
    {
        var order = await _shop.AddOrderAsync(sequence: 9);

        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId, sequence: 1)));
        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderCompleted, order.OrderId, sequence: 9)));

        Assert.Equal(
            [$"SendEmail:{order.OrderId}:OrderAccepted", $"SendEmail:{order.OrderId}:OrderCompleted"],
            _shop.EmailCommands(order.OrderId).Select(command => command.MessageId));
    }

    [Fact]
    public async Task DeadLettersAsMalformedGivenABodyThatIsNotAnEvent()
    {
        var order = await _shop.AddOrderAsync();
        var message = ServiceBusMessages.Received("not json", OrderEventTypes.OrderAccepted, correlationId: order.OrderId);

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.MalformedMessage, "OrderEvent");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersAsValidationFailedGivenAnUnknownOrder()
    {
        var message = NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, OrderIds.NewRandom()));

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "No order");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersAsValidationFailedGivenAnEventWithoutData()
    {
        var message = ServiceBusMessages.Received("""{"type":"OrderAccepted"}""", OrderEventTypes.OrderAccepted);

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "data.orderId");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersAsValidationFailedGivenATypeThatIsNotTheSubject()
    {
        var order = await _shop.AddOrderAsync();
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderCancelled, order.OrderId);
        var message = NotificationsTest.Received(orderEvent with { Type = OrderEventTypes.OrderCompleted });
        var relabelled = ServiceBusMessages.Received(message.Body, OrderEventTypes.OrderCancelled, message.MessageId, order.OrderId);

        await ConsumeAsync(relabelled);

        _actions.VerifyDeadLettered(relabelled, DeadLetterReasons.ValidationFailed, "is not its Subject");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task DeadLettersAsValidationFailedGivenAnOrderWithoutAValidAddress()
    {
        var order = await _shop.AddOrderAsync(email: "ada@localhost");
        var message = NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "no valid customer e-mail address");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task KeepsTheNameOnOneLineGivenANameWithLineBreaks()
    {
        var order = await _shop.AddOrderAsync(name: "Eve\r\nBcc: victim@example.com");

        await ConsumeAsync(NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderAccepted, order.OrderId)));

        var email = NotificationsTest.Read(Assert.Single(_shop.EmailCommands(order.OrderId)));
        Assert.Equal("Eve Bcc: victim@example.com", email.ToName);
        Assert.StartsWith("Hello Eve Bcc: victim@example.com,\n", email.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptAndCompletesGivenStorageIsDown()
    {
        await using var down = await NotificationsTest.StartAsync(azurite.UnreachableConnectionString());
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderAccepted, OrderIds.NewRandom());
        var message = NotificationsTest.Received(orderEvent);

        await down.Function<NotifyCustomerConsumer>().NotifyCustomer(message, _actions.Object, CancellationToken.None);

        _actions.VerifyCompletedOnly(message);
        var copy = Assert.Single(down.Sender.Sent);
        Assert.Equal(Topics.OrderEvents, copy.Destination);
        Assert.Equal($"{orderEvent.Id}#notifications#retry2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Equal(orderEvent.Id, copy.ApplicationProperties[RetryProperties.OriginalMessageId]);
        Assert.Equal(Subscriptions.Notifications, copy.ApplicationProperties[RetryProperties.RetryFor]);
    }

    [Fact]
    public async Task DeadLettersAsRetriesExhaustedGivenStorageIsDownOnTheLastAttempt()
    {
        await using var down = await NotificationsTest.StartAsync(azurite.UnreachableConnectionString());
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderAccepted, OrderIds.NewRandom());
        var lastAttempt = new ConsumerOptions().MaxAttempts;
        var message = NotificationsTest.Received(orderEvent, new Dictionary<string, object>
        {
            [RetryProperties.Attempt] = lastAttempt,
            [RetryProperties.OriginalMessageId] = orderEvent.Id,
            [RetryProperties.RetryFor] = Subscriptions.Notifications,
        });

        await down.Function<NotifyCustomerConsumer>().NotifyCustomer(message, _actions.Object, CancellationToken.None);

        _actions.VerifyDeadLettered(message, DeadLetterReasons.RetriesExhausted, $"Failed {lastAttempt} attempts");
        Assert.Empty(down.Sender.Sent);
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<NotifyCustomerConsumer>().NotifyCustomer(message, _actions.Object, CancellationToken.None);
}
