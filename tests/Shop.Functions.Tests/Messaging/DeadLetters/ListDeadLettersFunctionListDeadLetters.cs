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

public sealed class ListDeadLettersFunctionListDeadLetters
{
    private static readonly ConsumerEntity Catalog = ConsumerEntity.ForSubscription(Topics.OrderEvents, Subscriptions.Catalog);

    private readonly Mock<IDeadLetterStore> _store = new(MockBehavior.Strict);

    [Fact]
    public async Task ListsEveryFieldOfTheSubscriptionsDeadLettersWithOnlyTheStartOfEachBody()
    {
        var body = $$"""{"orderId":"ord_1","note":"{{new string('x', 400)}}","tail":"END"}""";
        var enqueued = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero);
        var message = DeadLettered.Message(
            "OrderCompleted:ord_1:6#catalog#retry6",
            "OrderCompleted",
            body,
            new Dictionary<string, object> { [RetryProperties.Attempt] = 6, [RetryProperties.OriginalMessageId] = "OrderCompleted:ord_1:6" },
            deliveryCount: 2,
            enqueuedTime: enqueued);
        _store.Setup(s => s.PeekAsync(Catalog, null, 50, It.IsAny<CancellationToken>())).ReturnsAsync([DeadLetter.From(message)]);

        var response = await ListAsync("order-events~catalog");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        var json = response.Json();
        Assert.Equal("order-events~catalog", json.GetProperty("entity").GetString());
        Assert.Equal("order-events/subscriptions/catalog", json.GetProperty("path").GetString());
        Assert.False(json.TryGetProperty("next", out _));
        var listed = Assert.Single(json.GetProperty("messages").EnumerateArray().ToList());
        Assert.Equal(message.SequenceNumber, listed.GetProperty("sequenceNumber").GetInt64());
        Assert.Equal("OrderCompleted:ord_1:6#catalog#retry6", listed.GetProperty("messageId").GetString());
        Assert.Equal("OrderCompleted:ord_1:6", listed.GetProperty("originalMessageId").GetString());
        Assert.Equal("OrderCompleted", listed.GetProperty("subject").GetString());
        Assert.Equal("ord_1", listed.GetProperty("correlationId").GetString());
        Assert.Equal(DeadLettered.Reason, listed.GetProperty("reason").GetString());
        Assert.Equal(DeadLettered.Description, listed.GetProperty("description").GetString());
        Assert.Equal(enqueued, listed.GetProperty("enqueuedTime").GetDateTimeOffset());
        Assert.Equal(2, listed.GetProperty("deliveryCount").GetInt32());
        Assert.Equal(6, listed.GetProperty("attempt").GetInt32());
        Assert.Equal("application/json", listed.GetProperty("contentType").GetString());
        Assert.Equal(body.Length, listed.GetProperty("bodyBytes").GetInt32());
        Assert.Equal(body[..256], listed.GetProperty("bodyPreview").GetString());
        Assert.DoesNotContain("END", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PassesMaxAndFromAndPointsToTheNextPageWhenItIsFull()
    {
        var (first, second) = (DeadLetter.From(DeadLettered.Message("a")), DeadLetter.From(DeadLettered.Message("b")));
        _store.Setup(s => s.PeekAsync(ConsumerEntity.Queue(Queues.PlaceOrder), 7, 2, It.IsAny<CancellationToken>())).ReturnsAsync([first, second]);

        var response = await ListAsync("place-order", "?max=2&from=7");

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.Equal(second.SequenceNumber + 1, response.Json().GetProperty("next").GetInt64());
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("order-events")]
    [InlineData("order-events~warehouse")]
    [InlineData("place-order~catalog")]
    public async Task Returns404GivenAnEntityOutsideTheDesign(string entity)
    {
        var response = await ListAsync(entity);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status404NotFound, "urn:shop:problem:not-found");
        Assert.Contains("order-events~catalog", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?max=0")]
    [InlineData("?max=101")]
    [InlineData("?max=-1")]
    [InlineData("?max=ten")]
    [InlineData("?max=1.5")]
    [InlineData("?max=")]
    [InlineData("?max=5&max=6")]
    public async Task Returns400GivenAMaxOutsideOneToAHundred(string query)
    {
        var response = await ListAsync("place-order", query);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("max", out _));
    }

    [Theory]
    [InlineData("?from=-1")]
    [InlineData("?from=first")]
    public async Task Returns400GivenAFromThatIsNotASequenceNumber(string query)
    {
        var response = await ListAsync("place-order", query);

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Returns503GivenServiceBusDown()
    {
        _store.Setup(s => s.PeekAsync(It.IsAny<ConsumerEntity>(), It.IsAny<long?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("No connection", ServiceBusFailureReason.ServiceCommunicationProblem));

        var response = await ListAsync("send-email");

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.NotNull(response.Header("Retry-After"));
        Assert.DoesNotContain("No connection", response.Body, StringComparison.Ordinal);
    }

    private async Task<TestResponse> ListAsync(string entity, string? query = null)
    {
        var request = DeadLetterRequests.List(entity, query);
        var function = new ListDeadLettersFunction(_store.Object, NullLogger<ListDeadLettersFunction>.Instance);
        return await HttpTest.RunAsync(request, await function.ListDeadLetters(request, entity, CancellationToken.None));
    }
}
