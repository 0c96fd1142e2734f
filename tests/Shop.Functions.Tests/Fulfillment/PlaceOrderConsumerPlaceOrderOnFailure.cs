using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Fulfillment.Start;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>The place-order consumer's failure paths, through the app's own pipeline: nothing is started, nothing is lost.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PlaceOrderConsumerPlaceOrderOnFailure(AzuriteFixture azurite)
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();

    // Any call on it would fail the test: none of these paths may start or query a saga.
    private readonly Mock<DurableTaskClient> _client = new(MockBehavior.Strict, "test");

    [Fact]
    public async Task DeadLettersMalformedMessageGivenABodyThatIsNotJson()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString);
        var message = ServiceBusMessages.Received("{not json", nameof(PlaceOrder));

        await ConsumeAsync(shop, message);

        VerifyDeadLetteredOnly(message, DeadLetterReasons.MalformedMessage);
    }

    [Fact]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherSubject()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString);
        var message = ServiceBusMessages.Received(new PlaceOrder(OrderIds.NewRandom()).ToMessage() with { Subject = "CancelEverything" });

        await ConsumeAsync(shop, message);

        VerifyDeadLetteredOnly(message, DeadLetterReasons.UnknownMessageType);
    }

    [Fact]
    public async Task DeadLettersValidationFailedGivenNoOrderId()
    {
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString);
        var message = ServiceBusMessages.Received("{}", nameof(PlaceOrder));

        await ConsumeAsync(shop, message);

        VerifyDeadLetteredOnly(message, DeadLetterReasons.ValidationFailed);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptAndCompletesGivenStorageIsDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(new PlaceOrder(orderId).ToMessage());

        await ConsumeAsync(down, message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        var copy = Assert.Single(down.Sender.Sent);
        Assert.Equal(Queues.PlaceOrder, copy.Destination);
        Assert.Equal($"PlaceOrder:{orderId}#retry2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.True(copy.ScheduledEnqueueTime > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedGivenStorageIsDownOnTheLastAttempt()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var orderId = OrderIds.NewRandom();
        var message = ServiceBusMessages.Received(new PlaceOrder(orderId).ToMessage() with
        {
            MessageId = $"PlaceOrder:{orderId}#retry6",
            ApplicationProperties = new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 6,
                [RetryProperties.OriginalMessageId] = $"PlaceOrder:{orderId}",
            },
        });

        await ConsumeAsync(down, message);

        VerifyDeadLetteredOnly(message, DeadLetterReasons.RetriesExhausted);
        Assert.Empty(down.Sender.Sent);
    }

    private Task ConsumeAsync(ShopTestServices shop, ServiceBusReceivedMessage message) =>
        shop.Function<PlaceOrderConsumer>().PlaceOrder(message, _actions.Object, _client.Object, CancellationToken.None);

    private void VerifyDeadLetteredOnly(ServiceBusReceivedMessage message, string reason)
    {
        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>?>(), reason, It.Is<string?>(d => !string.IsNullOrEmpty(d)), It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
    }
}
