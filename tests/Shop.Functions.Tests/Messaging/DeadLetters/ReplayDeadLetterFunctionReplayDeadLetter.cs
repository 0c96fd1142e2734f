using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

public sealed class ReplayDeadLetterFunctionReplayDeadLetter
{
    private static readonly ConsumerEntity Catalog = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    private readonly Mock<IDeadLetterStore> _store = new(MockBehavior.Strict);

    [Fact]
    public async Task ReplaysTheDeadLetterAndDescribesWhatWasSent()
    {
        var deadLetter = DeadLettered.LastAttempt("OrderCompleted:ord_1:6", Subscriptions.Catalog);
        var copy = ReplayCopy.Create(Catalog, deadLetter);
        _store.Setup(s => s.ReplayAsync(Catalog, 42, It.IsAny<CancellationToken>())).ReturnsAsync(ReplayResult.Replayed(copy));

        var response = await ReplayAsync("order-events~catalog", "42");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        var json = response.Json();
        Assert.Equal("order-events~catalog", json.GetProperty("entity").GetString());
        Assert.Equal(42, json.GetProperty("sequenceNumber").GetInt64());
        Assert.Equal("OrderCompleted:ord_1:6#catalog#replay1", json.GetProperty("messageId").GetString());
        Assert.Equal("OrderCompleted:ord_1:6", json.GetProperty("originalMessageId").GetString());
        Assert.Equal(Topics.OrderEvents, json.GetProperty("destination").GetString());
        Assert.Equal(Subscriptions.Catalog, json.GetProperty("retryFor").GetString());
        Assert.Equal(1, json.GetProperty("replay").GetInt32());
        _store.Verify(s => s.ReplayAsync(Catalog, 42, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Returns404GivenNoDeadLetterHasTheSequenceNumber()
    {
        _store.Setup(s => s.ReplayAsync(ConsumerEntity.Queue(Queues.PlaceOrder), 7, It.IsAny<CancellationToken>())).ReturnsAsync(ReplayResult.NotFound);

        var response = await ReplayAsync("place-order", "7");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Theory]
    [InlineData("seven")]
    [InlineData("-7")]
    [InlineData("7.0")]
    [InlineData("99999999999999999999")]
    public async Task Returns404WithoutLookingGivenASequenceNumberThatIsNotOne(string sequenceNumber)
    {
        var response = await ReplayAsync("place-order", sequenceNumber);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("order-events")]
    [InlineData("order-events~shipping")]
    public async Task Returns404GivenAnEntityOutsideTheDesign(string entity)
    {
        var response = await ReplayAsync(entity, "7");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
    }

    [Fact]
    public async Task Returns409WithRetryAfterGivenTheDeadLetterIsLocked()
    {
        _store.Setup(s => s.ReplayAsync(It.IsAny<ConsumerEntity>(), 7, It.IsAny<CancellationToken>())).ReturnsAsync(ReplayResult.Locked);

        var response = await ReplayAsync("deliver-webhook", "7");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status409Conflict, "urn:shop:problem:dead-letter-locked");
        Assert.Equal("30", response.Header("Retry-After"));
    }

    [Fact]
    public async Task Returns503GivenServiceBusDown()
    {
        _store.Setup(s => s.ReplayAsync(It.IsAny<ConsumerEntity>(), It.IsAny<long>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("No connection", ServiceBusFailureReason.ServiceCommunicationProblem));

        var response = await ReplayAsync("ship-order", "7");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.DoesNotContain("No connection", response.Body, StringComparison.Ordinal);
    }

    private async Task<TestResponse> ReplayAsync(string entity, string sequenceNumber)
    {
        var request = DeadLetterRequests.Replay(entity, sequenceNumber);
        var function = new ReplayDeadLetterFunction(_store.Object, NullLogger<ReplayDeadLetterFunction>.Instance);
        return await HttpTest.RunAsync(request, await function.ReplayDeadLetter(request, entity, sequenceNumber, CancellationToken.None));
    }
}
