using System.Text.Json.Nodes;

namespace Shop.Functions.Tests.Orders;

/// <summary>Order submission bodies for tests: a valid one, and edits of it.</summary>
public static class OrderRequests
{
    public static JsonObject Valid() => new()
    {
        ["customer"] = new JsonObject { ["id"] = "cust-42", ["email"] = "ada@example.com", ["name"] = "Ada Lovelace" },
        ["items"] = new JsonArray
        {
            new JsonObject { ["sku"] = "SKU-001", ["quantity"] = 2 },
            new JsonObject { ["sku"] = "SKU-002", ["quantity"] = 1 },
        },
        ["shippingAddress"] = new JsonObject
        {
            ["line1"] = "1 Analytical Way",
            ["city"] = "London",
            ["postalCode"] = "N1 9GU",
            ["country"] = "GB",
        },
        ["payment"] = new JsonObject { ["method"] = "card", ["token"] = "tok_visa_secret_123" },
    };

    public static string ValidJson() => Valid().ToJsonString();

    public static string With(Action<JsonObject> edit)
    {
        var body = Valid();
        edit(body);
        return body.ToJsonString();
    }
}
