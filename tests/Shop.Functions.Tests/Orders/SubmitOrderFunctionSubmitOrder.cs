using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Orders;

[Collection(AzuriteCollection.Name)]
public sealed class SubmitOrderFunctionSubmitOrder(AzuriteFixture azurite) : IAsyncLifetime
{
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task Returns202WithStatusUrlGivenValidOrder()
    {
        var response = await SubmitAsync(OrderRequests.ValidJson());

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
        var body = response.Json();
        var orderId = body.GetProperty("orderId").GetString()!;
        Assert.True(OrderIds.IsWellFormed(orderId));
        Assert.Equal("Accepted", body.GetProperty("status").GetString());
        var statusUrl = $"https://{HttpTest.Host}/api/orders/{orderId}/status";
        Assert.Equal(statusUrl, body.GetProperty("statusUrl").GetString());
        Assert.Equal(statusUrl, response.Header("Location"));
        Assert.Equal("2", response.Header("Retry-After"));
        Assert.StartsWith("application/json", response.Header("Content-Type"));
    }

    [Fact]
    public async Task StoresOrderAndSendsPlaceOrderGivenValidOrder()
    {
        var orderId = (await SubmitAsync(OrderRequests.ValidJson())).Json().GetProperty("orderId").GetString()!;

        var row = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;
        Assert.Equal(OrderStatuses.Accepted, row.Status);
        Assert.Equal("ada@example.com", row.CustomerEmail);
        Assert.Equal([new OrderLine("SKU-001", 2), new OrderLine("SKU-002", 1)], row.GetItems());
        Assert.Equal("tok_visa_secret_123", row.PaymentToken);

        var sent = Assert.Single(_shop.Sender.SentFor(orderId));
        Assert.Equal(Queues.PlaceOrder, sent.Destination);
        Assert.Equal($"PlaceOrder:{orderId}", sent.MessageId);
        Assert.Equal("PlaceOrder", sent.Subject);
        Assert.Equal(orderId, JsonDocument.Parse(sent.Body.ToString()).RootElement.GetProperty("orderId").GetString());
        // Sent at once: nothing is left pending, neither in the order's partition nor carried by the outbox index.
        await _shop.Get<OutboxRelay>().DrainAsync();
        Assert.Empty(await PendingMessages.ForOrderAsync(_shop.Tables, orderId));
        Assert.Equal([OrderRow.OrderRowKey], (await _shop.OrdersTable.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync()).Select(row => row.RowKey));
    }

    [Fact]
    public async Task Returns400WithPositionGivenMalformedJson()
    {
        var response = await SubmitAsync("{\"customer\": {\"id\": \"c1\",, }");

        AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:malformed-json");
        Assert.Contains("line 1", response.Json().GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Theory]
    [InlineData("{\"items\": \"not-a-list\"}")]
    [InlineData("{\"items\": [{\"sku\": \"A\", \"quantity\": 99999999999999999999}]}")]
    [InlineData("{\"items\": [{\"sku\": \"A\", \"quantity\": \"2\"}]}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Returns400GivenJsonOfTheWrongShape(string body)
    {
        var response = await SubmitAsync(body);

        AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:malformed-json");
    }

    [Fact]
    public async Task Returns400GivenDeeplyNestedJson()
    {
        var body = string.Concat(Enumerable.Repeat("{\"customer\":", 200)) + "{}" + new string('}', 200);

        var response = await SubmitAsync(body);

        AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:malformed-json");
    }

    [Fact]
    public async Task Returns400ListingEachInvalidField()
    {
        var body = OrderRequests.With(b =>
        {
            b["customer"]!["email"] = "nope";
            b["items"]![0]!["quantity"] = 500;
            b["shippingAddress"]!["city"] = null;
            b["callbackUrl"] = "not a url";
        });

        var response = await SubmitAsync(body);

        AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        var fields = response.Json().GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["callbackUrl", "customer.email", "items[0].quantity", "shippingAddress.city"], fields);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Fact]
    public async Task Returns400GivenUnpairedSurrogateInText()
    {
        var body = OrderRequests.ValidJson().Replace("Ada Lovelace", "Ada \\ud800 Lovelace", StringComparison.Ordinal);

        var response = await SubmitAsync(body);

        Assert.Equal(StatusCodes.Status400BadRequest, response.Status);
        Assert.Empty(_shop.Sender.Sent);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Returns413GivenBodyOver64KiB(bool sendContentLength)
    {
        var body = OrderRequests.With(b => b["customer"]!["name"] = new string('a', 70 * 1024));

        var response = await SubmitAsync(body, sendContentLength: sendContentLength);

        AssertProblem(response, StatusCodes.Status413PayloadTooLarge, "urn:shop:problem:payload-too-large");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    [InlineData(null)]
    public async Task Returns415GivenNonJsonContentType(string? contentType)
    {
        var response = await SubmitAsync(OrderRequests.ValidJson(), contentType: contentType);

        AssertProblem(response, StatusCodes.Status415UnsupportedMediaType, "urn:shop:problem:unsupported-media-type");
        Assert.Empty(_shop.Sender.Sent);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    public async Task AcceptsJsonContentTypeVariants(string contentType)
    {
        var response = await SubmitAsync(OrderRequests.ValidJson(), contentType: contentType);

        Assert.Equal(StatusCodes.Status202Accepted, response.Status);
    }

    [Fact]
    public async Task ReturnsFirst202GivenSameIdempotencyKeyAndBody()
    {
        var key = Guid.NewGuid().ToString();

        var first = await SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key);
        // The same content with other whitespace and key order is the same request.
        var reordered = JsonSerializer.Serialize(JsonDocument.Parse(OrderRequests.ValidJson()).RootElement, new JsonSerializerOptions { WriteIndented = true });
        var second = await SubmitAsync(reordered, idempotencyKey: key);

        Assert.Equal(StatusCodes.Status202Accepted, second.Status);
        var orderId = first.Json().GetProperty("orderId").GetString()!;
        Assert.Equal(orderId, second.Json().GetProperty("orderId").GetString());
        Assert.Equal(first.Header("Location"), second.Header("Location"));
        Assert.Single(_shop.Sender.SentFor(orderId));
    }

    [Fact]
    public async Task Returns422GivenSameIdempotencyKeyWithAnotherBody()
    {
        var key = Guid.NewGuid().ToString();
        var first = await SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key);
        var orderId = first.Json().GetProperty("orderId").GetString()!;
        var before = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;

        var second = await SubmitAsync(OrderRequests.With(b => b["items"]![0]!["quantity"] = 3), idempotencyKey: key);

        AssertProblem(second, StatusCodes.Status422UnprocessableEntity, "urn:shop:problem:idempotency-key-reused");
        var after = (await _shop.OrdersTable.GetEntityAsync<OrderRow>(orderId, OrderRow.OrderRowKey)).Value;
        Assert.Equal(before.ETag, after.ETag);
        Assert.Single(_shop.Sender.SentFor(orderId));
    }

    [Fact]
    public async Task CreatesExactlyOneOrderGivenTwentyParallelRequestsWithOneKey()
    {
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key)));

        Assert.All(responses, response => Assert.Equal(StatusCodes.Status202Accepted, response.Status));
        var orderIds = responses.Select(response => response.Json().GetProperty("orderId").GetString()!).Distinct().ToList();
        var orderId = Assert.Single(orderIds);
        Assert.Single(_shop.Sender.SentFor(orderId));
        var rows = await _shop.OrdersTable.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync();
        Assert.Equal([OrderRow.OrderRowKey], rows.Select(row => row.RowKey));
    }

    [Fact]
    public async Task ScopesIdempotencyKeysToTheCaller()
    {
        var key = Guid.NewGuid().ToString();

        var alice = await SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key, callerId: "alice");
        var bob = await SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key, callerId: "bob");

        Assert.NotEqual(alice.Json().GetProperty("orderId").GetString(), bob.Json().GetProperty("orderId").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("key with spaces")]
    [InlineData("k\u00e9y")]
    public async Task Returns400GivenInvalidIdempotencyKey(string key)
    {
        var response = await SubmitAsync(OrderRequests.ValidJson(), idempotencyKey: key);

        AssertProblem(response, StatusCodes.Status400BadRequest, "urn:shop:problem:validation-failed");
        Assert.True(response.Json().GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
    }

    [Fact]
    public async Task LogsEveryLineWithTheOrderId()
    {
        var orderId = (await SubmitAsync(OrderRequests.ValidJson())).Json().GetProperty("orderId").GetString()!;

        var lines = _shop.Logs.Records.Where(record => record.Category.StartsWith("Shop.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal(orderId, line.Scope.GetValueOrDefault("OrderId")));
        Assert.DoesNotContain(_shop.Logs.Records, record => record.Message.Contains("tok_visa_secret_123", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Returns503AndAcceptsNothingGivenStorageDown()
    {
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString());
        var function = down.Function<SubmitOrderFunction>();
        var request = HttpTest.Request("POST", "/api/orders", OrderRequests.ValidJson());

        var response = await HttpTest.RunAsync(request, await function.SubmitOrder(request, CancellationToken.None));

        AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.NotNull(response.Header("Retry-After"));
        Assert.DoesNotContain("   at ", response.Body, StringComparison.Ordinal);
        Assert.Empty(down.Sender.Sent);
    }

    private async Task<TestResponse> SubmitAsync(
        string body,
        string? contentType = "application/json",
        string? idempotencyKey = null,
        string? callerId = null,
        bool sendContentLength = true)
    {
        var headers = new Dictionary<string, string>();
        if (idempotencyKey is not null)
        {
            headers[SubmitOrderFunction.IdempotencyKeyHeader] = idempotencyKey;
        }

        if (callerId is not null)
        {
            headers[SubmitOrderFunction.CallerIdHeader] = callerId;
        }

        var request = HttpTest.Request("POST", "/api/orders", body, contentType, headers, sendContentLength);
        var result = await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None);
        var response = await HttpTest.RunAsync(request, result);

        // What runs behind the 202 (the order row, the PlaceOrder send) is done before the test looks.
        await _shop.Get<Functions.Messaging.OutboxRelay>().DrainAsync();
        return response;
    }

    internal static void AssertProblem(TestResponse response, int status, string type)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.Header("Content-Type"));
        var problem = response.Json();
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
    }
}
