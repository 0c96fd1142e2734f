using System.Text.Json;
using System.Text.Json.Nodes;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Orders;

public sealed class SubmitOrderValidatorValidate
{
    [Fact]
    public void AcceptsValidOrder()
    {
        var errors = SubmitOrderValidator.Validate(Parse(OrderRequests.ValidJson()), out var order);

        Assert.Empty(errors);
        Assert.NotNull(order);
        Assert.Equal([("SKU-001", 2), ("SKU-002", 1)], order.Items.Select(line => (line.Sku, line.Quantity)));
    }

    [Theory]
    [InlineData("customer", null)]
    [InlineData("customer.email", "not-an-email")]
    [InlineData("customer.email", "ada@example")]
    [InlineData("customer.email", "ada.lovelace@localhost")]
    [InlineData("customer.name", "")]
    [InlineData("customer.id", "   ")]
    [InlineData("shippingAddress.city", null)]
    [InlineData("shippingAddress.postalCode", "")]
    [InlineData("shippingAddress.country", "gb")]
    [InlineData("shippingAddress.country", "GBR")]
    [InlineData("payment.token", null)]
    [InlineData("payment.method", "cash")]
    [InlineData("callbackUrl", "/relative/path")]
    [InlineData("callbackUrl", "ftp://example.com/hook")]
    [InlineData("callbackUrl", "https://user:pass@example.com/hook")]
    [InlineData("customer.name", "Ada\u0000Lovelace")]
    public void ReportsTheFieldThatIsWrong(string path, string? value)
    {
        var body = OrderRequests.Valid();
        Set(body, path, value);

        var errors = SubmitOrderValidator.Validate(Parse(body.ToJsonString()), out var order);

        Assert.Null(order);
        Assert.Equal([path], errors.Keys);
    }

    [Fact]
    public void ReportsEveryWrongFieldAtOnce()
    {
        var body = OrderRequests.Valid();
        Set(body, "customer.email", "nope");
        Set(body, "shippingAddress.line1", null);
        body["items"]![1]!["quantity"] = 0;

        var errors = SubmitOrderValidator.Validate(Parse(body.ToJsonString()), out _);

        Assert.Equal(["customer.email", "items[1].quantity", "shippingAddress.line1"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-5)]
    public void RejectsQuantityOutsideOneToHundred(int quantity)
    {
        var body = OrderRequests.With(b => b["items"]![0]!["quantity"] = quantity);

        var errors = SubmitOrderValidator.Validate(Parse(body), out _);

        Assert.Equal(["items[0].quantity"], errors.Keys);
    }

    [Fact]
    public void RejectsEmptyItems()
    {
        var errors = SubmitOrderValidator.Validate(Parse(OrderRequests.With(b => b["items"] = new JsonArray())), out _);

        Assert.Equal(["items"], errors.Keys);
    }

    [Fact]
    public void AcceptsFiftyLinesAndRejectsFiftyOne()
    {
        static string Lines(int count) => OrderRequests.With(b => b["items"] = new JsonArray(
            Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["sku"] = $"SKU-{i}", ["quantity"] = 1 }).ToArray()));

        Assert.Empty(SubmitOrderValidator.Validate(Parse(Lines(50)), out _));
        Assert.Equal(["items"], SubmitOrderValidator.Validate(Parse(Lines(51)), out _).Keys);
    }

    [Fact]
    public void RejectsTheSameSkuOnTwoLines()
    {
        var body = OrderRequests.With(b => b["items"]![1]!["sku"] = "sku-001");

        var errors = SubmitOrderValidator.Validate(Parse(body), out _);

        Assert.Equal(["items[1].sku"], errors.Keys);
    }

    [Fact]
    public void AcceptsHttpAndHttpsCallbackUrls()
    {
        Assert.Empty(SubmitOrderValidator.Validate(Parse(OrderRequests.With(b => b["callbackUrl"] = "https://hooks.example.com/shop")), out _));
        Assert.Empty(SubmitOrderValidator.Validate(Parse(OrderRequests.With(b => b["callbackUrl"] = "http://localhost:5000/hook")), out _));
    }

    private static SubmitOrderRequest Parse(string json) =>
        JsonSerializer.Deserialize(json, ShopJsonContext.Default.SubmitOrderRequest)!;

    private static void Set(JsonObject body, string path, string? value)
    {
        var parts = path.Split('.');
        var node = body;
        foreach (var part in parts[..^1])
        {
            node = node[part]!.AsObject();
        }

        node[parts[^1]] = value is null ? null : JsonValue.Create(value);
    }
}
