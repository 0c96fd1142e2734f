using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>The place-order trigger as the host calls it: the app's pipeline, a mocked settlement API, a real engine.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PlaceOrderConsumerPlaceOrder(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private SagaHarness _saga = null!;

    public async Task InitializeAsync() => _saga = await SagaHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task StartsTheSagaAndCompletesGivenAnAcceptedOrder()
    {
        var orderId = await _saga.SubmitAsync();
        var message = ServiceBusMessages.Received(Assert.Single(_saga.Shop.Sender.SentFor(orderId)));

        await ConsumeAsync(message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        Assert.NotNull(await _saga.Client.GetInstanceAsync(orderId));
    }

    [Fact]
    public async Task CompletesWithoutStartingAgainGivenTheSameCommandTwice()
    {
        var orderId = await _saga.SubmitAsync();
        var message = ServiceBusMessages.Received(Assert.Single(_saga.Shop.Sender.SentFor(orderId)));

        await ConsumeAsync(message);
        await ConsumeAsync(message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Exactly(2));
        var starts = _saga.Shop.Logs.Records.Where(r => r.Category == typeof(FulfillmentStarter).FullName && Equals(r.Scope.GetValueOrDefault("OrderId"), orderId)).ToList();
        Assert.Equal(
            ["started", "started before"],
            starts.Select(r => r.Message.Contains("started before", StringComparison.Ordinal) ? "started before" : "started"));
    }

    [Fact]
    public async Task DeadLettersGivenACommandForAnUnknownOrder()
    {
        var message = ServiceBusMessages.Received(new PlaceOrder(OrderIds.NewRandom()).ToMessage());

        await ConsumeAsync(message);

        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>>(), "ValidationFailed", It.Is<string>(d => d.Contains("No order")), It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _saga.Shop.Function<PlaceOrderConsumer>().PlaceOrder(message, _actions.Object, _saga.Client, CancellationToken.None);
}
