using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.NotifyCustomer;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Notifications;

/// <summary>
/// Issue 14: the saga's events carry the customer (<see cref="OrderContact"/>), so the e-mail consumer does not read the
/// order row; an event without it (the carrier's, or one from before) is e-mailed from the row as before.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class NotifyCustomerConsumerGivenTheContactInTheEvent(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await NotificationsTest.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task EmailsTheEventsContactWithoutReadingTheOrderRow()
    {
        // No order row at all: a read would reject the event as an unknown order.
        var orderId = OrderIds.NewRandom();
        var data = new OrderEventData(orderId, 3, OrderStatuses.Completed, Contact: new OrderContact("grace@example.com", "Grace Hopper"));
        var message = NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderCompleted, orderId, data: data));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var email = NotificationsTest.Read(Assert.Single(_shop.EmailCommands(orderId)));
        Assert.Equal(("grace@example.com", "Grace Hopper"), (email.To, email.ToName));
        Assert.StartsWith("Hello Grace Hopper,", email.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmailsTheCustomerOnTheRowGivenAnEventWithoutTheContact()
    {
        var order = await _shop.AddOrderAsync();
        var message = NotificationsTest.Received(NotificationsTest.Event(OrderEventTypes.OrderCompleted, order.OrderId));

        await ConsumeAsync(message);

        _actions.VerifyCompletedOnly(message);
        var email = NotificationsTest.Read(Assert.Single(_shop.EmailCommands(order.OrderId)));
        Assert.Equal((NotificationsTest.Email, NotificationsTest.Name), (email.To, email.ToName));
    }

    [Fact]
    public async Task SendsOneCommandGivenTheSameContactCarryingEventTwice()
    {
        var orderId = OrderIds.NewRandom();
        var data = new OrderEventData(orderId, 3, OrderStatuses.Processing, Contact: new OrderContact("grace@example.com", "Grace Hopper"));
        var orderEvent = NotificationsTest.Event(OrderEventTypes.OrderAccepted, orderId, data: data);

        await ConsumeAsync(NotificationsTest.Received(orderEvent));
        await ConsumeAsync(NotificationsTest.Received(orderEvent));

        // The mark read before the first send was reused for its write; the second copy finds it and is stale.
        Assert.Single(_shop.EmailCommands(orderId));
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<NotifyCustomerConsumer>().NotifyCustomer(message, _actions.Object, CancellationToken.None);
}
