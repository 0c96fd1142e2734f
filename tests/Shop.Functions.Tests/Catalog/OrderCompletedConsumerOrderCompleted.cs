using Azure.Data.Tables;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Catalog;
using Shop.Functions.Catalog.Sales;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Catalog;

/// <summary>The catalog subscription's trigger as the host calls it: the app's pipeline, a mocked settlement API, real storage.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class OrderCompletedConsumerOrderCompleted(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task CountsEachSkuOfTheOrderAndCompletes()
    {
        var (first, second) = (OrderCompletedEvents.NewSku(), OrderCompletedEvents.NewSku());
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(first, 2), new OrderLine(second, 1)));

        await ConsumeAsync(message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        Assert.Equal((2, 1), (await UnitsSoldAsync(first), await UnitsSoldAsync(second)));
    }

    [Fact]
    public async Task CountsAnOrderOnceGivenTheSameEventTwice()
    {
        var sku = OrderCompletedEvents.NewSku();
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(sku, 3)));

        await ConsumeAsync(message);
        await ConsumeAsync(message);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal(3, await UnitsSoldAsync(sku));
        Assert.Single(await SaleRowsAsync(sku));
    }

    [Fact]
    public async Task CountsAnOrderOnceGivenItsRetryCopyAfterItWasCounted()
    {
        var sku = OrderCompletedEvents.NewSku();
        var sent = OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(sku, 3));
        var copy = sent with
        {
            MessageId = $"{sent.MessageId}#{Subscriptions.Catalog}#retry2",
            ApplicationProperties = new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 2,
                [RetryProperties.OriginalMessageId] = sent.MessageId,
                [RetryProperties.RetryFor] = Subscriptions.Catalog,
            },
        };

        await ConsumeAsync(ServiceBusMessages.Received(sent));
        await ConsumeAsync(ServiceBusMessages.Received(copy));

        Assert.Equal(3, await UnitsSoldAsync(sku));
    }

    [Fact]
    public async Task AddsUpDifferentOrdersWhateverOrderTheyArriveIn()
    {
        var sku = OrderCompletedEvents.NewSku();
        var earlier = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), [new OrderLine(sku, 2)], sequence: 6));
        var later = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), [new OrderLine(sku, 5)], sequence: 9));

        await ConsumeAsync(later);
        await ConsumeAsync(earlier);
        await ConsumeAsync(later);

        Assert.Equal(7, await UnitsSoldAsync(sku));
        Assert.Equal(new SkuSales(sku, 7, 2), Assert.Single(await _shop.Get<CatalogSales>().GetTopSellersAsync([sku], 1, CancellationToken.None)));
    }

    [Fact]
    public async Task SumsExactlyGivenTwentyOrdersOfOneSkuAtOnce()
    {
        var sku = OrderCompletedEvents.NewSku();
        var messages = Enumerable.Range(1, 20)
            .Select(quantity => ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(sku, quantity))))
            .ToList();

        await Task.WhenAll(messages.Select(message => Task.Run(() => ConsumeAsync(message))));

        Assert.Equal(210, await UnitsSoldAsync(sku));
        Assert.Equal(20, (await SaleRowsAsync(sku)).Count);
        foreach (var message in messages)
        {
            _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        }

        _actions.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task MergesLinesWhoseSkusDifferOnlyInCase()
    {
        var sku = OrderCompletedEvents.NewSku();

        await ConsumeAsync(ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(sku.ToLowerInvariant(), 2), new OrderLine(sku, 3))));

        Assert.Equal(new SkuSales(sku, 5, 1), Assert.Single(await _shop.Get<CatalogSales>().GetTopSellersAsync([sku], 1, CancellationToken.None)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeadLettersValidationFailedGivenAnEventWithoutItems(bool emptyList)
    {
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), emptyList ? [] : null, sequence: 6));

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "no items");
    }

    [Fact]
    public async Task CountsNothingGivenALineThatCannotBeCounted()
    {
        var sku = OrderCompletedEvents.NewSku();
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(sku, 2), new OrderLine(OrderCompletedEvents.NewSku(), 0)));

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.ValidationFailed, "items[1]");
        Assert.Equal(0, await UnitsSoldAsync(sku));
    }

    [Fact]
    public async Task DeadLettersMalformedMessageGivenABodyThatIsNotAnEvent()
    {
        var message = ServiceBusMessages.Received("""{"data": "not an object"}""", OrderEventTypes.OrderCompleted, "OrderCompleted:ord_x:6", "ord_x");

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.MalformedMessage, "OrderEvent");
    }

    [Fact]
    public async Task DeadLettersUnknownMessageTypeGivenAnotherEvent()
    {
        var message = ServiceBusMessages.Received(OrderCompletedEvents.For(OrderIds.NewRandom(), [new OrderLine(OrderCompletedEvents.NewSku(), 1)], 4, OrderEventTypes.OrderFailed));

        await ConsumeAsync(message);

        VerifyDeadLettered(message, DeadLetterReasons.UnknownMessageType, OrderEventTypes.OrderFailed);
    }

    [Fact]
    public async Task SchedulesTheNextAttemptForThisSubscriptionGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var sent = OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(OrderCompletedEvents.NewSku(), 1));
        var message = ServiceBusMessages.Received(sent);

        await down.Function<OrderCompletedConsumer>().OrderCompleted(message, _actions.Object, CancellationToken.None);

        _actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        _actions.VerifyNoOtherCalls();
        var copy = Assert.Single(down.Sender.Sent);
        Assert.Equal(Topics.OrderEvents, copy.Destination);
        Assert.Equal($"{sent.MessageId}#{Subscriptions.Catalog}#retry2", copy.MessageId);
        Assert.Equal(2, copy.ApplicationProperties![RetryProperties.Attempt]);
        Assert.Equal(Subscriptions.Catalog, copy.ApplicationProperties[RetryProperties.RetryFor]);
        Assert.Equal(sent.Body.ToString(), copy.Body.ToString());
    }

    [Fact]
    public async Task DeadLettersRetriesExhaustedGivenStorageDownOnTheLastAttempt()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var sent = OrderCompletedEvents.For(OrderIds.NewRandom(), new OrderLine(OrderCompletedEvents.NewSku(), 1));
        var lastAttempt = ServiceBusMessages.Received(sent with
        {
            MessageId = $"{sent.MessageId}#{Subscriptions.Catalog}#retry6",
            ApplicationProperties = new Dictionary<string, object>
            {
                [RetryProperties.Attempt] = 6,
                [RetryProperties.OriginalMessageId] = sent.MessageId,
                [RetryProperties.RetryFor] = Subscriptions.Catalog,
            },
        });

        await down.Function<OrderCompletedConsumer>().OrderCompleted(lastAttempt, _actions.Object, CancellationToken.None);

        VerifyDeadLettered(lastAttempt, DeadLetterReasons.RetriesExhausted, "6 attempts");
        Assert.Empty(down.Sender.Sent);
    }

    private Task ConsumeAsync(ServiceBusReceivedMessage message) =>
        _shop.Function<OrderCompletedConsumer>().OrderCompleted(message, _actions.Object, CancellationToken.None);

    private Task<long> UnitsSoldAsync(string sku) => _shop.Get<CatalogSales>().GetUnitsSoldAsync(sku, CancellationToken.None);

    private async Task<List<OrderSaleRow>> SaleRowsAsync(string sku) =>
        await _shop.Get<CatalogSales>().Table
            .QueryAsync<OrderSaleRow>(TableClient.CreateQueryFilter($"PartitionKey eq {sku} and RowKey ge {CatalogKeys.SaleRowKeyPrefix} and RowKey lt {CatalogKeys.SaleRowKeyEnd}"))
            .ToListAsync();

    private void VerifyDeadLettered(ServiceBusReceivedMessage message, string reason, string describedBy)
    {
        _actions.Verify(
            a => a.DeadLetterMessageAsync(message, It.IsAny<Dictionary<string, object>>(), reason, It.Is<string>(d => d.Contains(describedBy)), It.IsAny<CancellationToken>()),
            Times.Once);
        _actions.VerifyNoOtherCalls();
    }
}
