using System.Text.Json.Nodes;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Webhooks.Registration;

namespace Shop.Functions.Tests.Reliability;

/// <summary>Ids that exist (or are well-formed) when the campaign runs, so that only the part under attack is bad.</summary>
public sealed record KnownIds(string OrderId, string WebhookId, string DeliveryId)
{
    public string ValidRouteValue(string parameter) => parameter switch
    {
        "orderId" => OrderId,
        "id" => WebhookId,
        "deliveryId" => DeliveryId,
        "entity" => "place-order",
        "sequenceNumber" => "1",
        "sku" => "SKU-001",
        _ => throw new InvalidOperationException($"No valid value is known for the route parameter '{parameter}'; add one."),
    };
}

/// <summary>
/// What the campaign needs to know of each HTTP function beyond functions.metadata: the query parameters it parses, and
/// the JSON body it reads (a valid one to spoil) with its size limit. Route parameters come from the metadata's route.
/// A function in functions.metadata without a profile fails the campaign: a new endpoint must be attacked too.
/// </summary>
public sealed record HttpFunctionProfile(string Name, IReadOnlyList<string> ParsedQuery, Func<JsonObject>? ValidBody = null, int MaxBodyBytes = 0)
{
    public const string WebhookHost = "hooks.example";

    public static IReadOnlyDictionary<string, HttpFunctionProfile> All { get; } = new HttpFunctionProfile[]
    {
        new("SubmitOrder", [], OrderRequests.Valid, 64 * 1024),
        new("ListCustomerOrders", ["customerId", "max", "after"]),
        new("GetOrder", []),
        new("GetOrderStatus", []),
        new("CancelOrder", []),
        new("RegisterWebhook", [], ValidRegistration, RegisterWebhookFunction.MaxBodyBytes),
        new("ListWebhooks", []),
        new("GetWebhook", []),
        new("UpdateWebhook", [], ValidUpdate, RegisterWebhookFunction.MaxBodyBytes),
        new("DeleteWebhook", []),
        new("RotateWebhookSecret", []),
        new("ListWebhookDeliveries", ["top", "after"]),
        new("RedeliverWebhook", []),
        new("ListDeadLetters", ["max", "from"]),
        new("ReplayDeadLetter", []),
        new("ListOrdersNeedingAttention", ["max", "after"]),
        new("GetStock", []),
        new("ReceiveStock", [], ValidStockReceipt, Shop.Functions.Inventory.Admin.ReceiveStockFunction.MaxBodyBytes),
        new("ListCatalogItems", ["top", "sort"]),
        new("GetCatalogItem", []),
        new("ReceiveStripeEvent", []),
        new("GetHealth", []),
        new("GetOpenApiDocument", []),
    }.ToDictionary(profile => profile.Name, StringComparer.Ordinal);

    public static JsonObject ValidUpdate() => new()
    {
        ["url"] = $"https://{WebhookHost}/moved",
        ["eventTypes"] = new JsonArray("OrderCompleted"),
        ["description"] = "campaign update",
    };

    public static JsonObject ValidStockReceipt() => new()
    {
        ["receiptId"] = "campaign-receipt",
        ["quantity"] = 1,
    };

    public static JsonObject ValidRegistration() => new()
    {
        ["url"] = $"https://{WebhookHost}/in",
        ["eventTypes"] = new JsonArray("OrderAccepted", "OrderCompleted"),
        ["description"] = "campaign",
    };

    /// <summary>The string fields of the valid body, by JSON path, that the campaign overwrites.</summary>
    public IReadOnlyList<string> StringFields => Name switch
    {
        "SubmitOrder" =>
        [
            "customer.id", "customer.email", "customer.name", "items[0].sku", "shippingAddress.line1", "shippingAddress.city",
            "shippingAddress.postalCode", "shippingAddress.country", "payment.method", "payment.token", "callbackUrl",
        ],
        "RegisterWebhook" or "UpdateWebhook" => ["url", "eventTypes[0]", "description"],
        "ReceiveStock" => ["receiptId", "note"],
        _ => [],
    };

    /// <summary>Fields that only accept a narrow ASCII shape: any odd character in them must be refused.</summary>
    public IReadOnlyList<string> StrictFields => Name switch
    {
        "SubmitOrder" => ["customer.email", "items[0].sku", "shippingAddress.country", "payment.method"],
        "RegisterWebhook" or "UpdateWebhook" => ["eventTypes[0]"],
        "ReceiveStock" => ["receiptId"],
        _ => [],
    };

    /// <summary>The field holding a URL the app will call (SSRF), if the body has one.</summary>
    public string? UrlField => Name switch
    {
        "SubmitOrder" => "callbackUrl",
        "RegisterWebhook" or "UpdateWebhook" => "url",
        _ => null,
    };

    /// <summary>Every field of the valid body, objects and arrays included, for wrong-type attacks.</summary>
    public IReadOnlyList<string> AllFields => Name switch
    {
        "SubmitOrder" => ["customer", "items", "items[0]", "items[0].quantity", "shippingAddress", "payment", .. StringFields],
        "RegisterWebhook" or "UpdateWebhook" => ["eventTypes", .. StringFields],
        "ReceiveStock" => ["quantity", .. StringFields],
        _ => [],
    };

    /// <summary>The valid body with one field (a JSON path like <c>items[0].sku</c>) set to <paramref name="value"/>.</summary>
    public JsonObject With(string path, JsonNode? value)
    {
        var body = ValidBody!();
        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        JsonNode node = body;
        foreach (var part in parts[..^1])
        {
            node = part.StartsWith('[') ? node[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        }

        var last = parts[^1];
        if (last.StartsWith('['))
        {
            node[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            node[last] = value;
        }

        return body;
    }

    /// <summary>
    /// The valid body as JSON text with one field set to the string <paramref name="value"/>, written as a hostile client
    /// would: every character outside printable ASCII as a <c>\uXXXX</c> escape, unpaired surrogates included (a JSON
    /// serializer would have replaced those with U+FFFD).
    /// </summary>
    public string WithText(string path, string value)
    {
        const string Marker = "@@campaign-value@@";
        var literal = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            literal.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' or > '~' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return With(path, Marker).ToJsonString().Replace($"\"{Marker}\"", literal.Append('"').ToString(), StringComparison.Ordinal);
    }

    /// <summary>Fields the body may leave out or set to null.</summary>
    // In an update every field is optional: a field set to null is left as it is, so such a body is a valid change.
    public bool IsOptional(string path) => Name == "UpdateWebhook" || path is "callbackUrl" or "description" or "note";

    internal static string SubmitOrderHeader => SubmitOrderFunction.IdempotencyKeyHeader;
}
