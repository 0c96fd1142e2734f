using System.Text;
using System.Text.Json.Nodes;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Webhooks;

namespace Shop.Functions.Tests.Reliability;

/// <summary>One bad message for one consumer, and the dead-letter reason the pipeline must give it.</summary>
public sealed record BadMessage(string Consumer, string Category, string Description, string? Subject, byte[] Body, string Reason)
{
    public override string ToString() => $"{Consumer} [{Category}] {Description}";
}

/// <summary>
/// What each Service Bus consumer of functions.metadata accepts (its Subject and a valid body to spoil) and the
/// nonsense that is valid JSON of its type but can never succeed. A consumer without an entry fails the campaign.
/// </summary>
public sealed record ConsumerProfile(string Name, string Subject, Func<JsonObject> ValidBody, IReadOnlyList<string> IdFields, IReadOnlyList<(string Description, Action<JsonObject> Edit)> Nonsense)
{
    /// <summary>A well-formed order id that no order has.</summary>
    public static readonly string UnknownOrderId = OrderIds.NewRandom();

    private static readonly string OrderId = OrderIds.NewRandom();

    /// <summary>The profiles, with <paramref name="subscriptionId"/> as the registered webhook that deliveries go to.</summary>
    public static IReadOnlyDictionary<string, ConsumerProfile> For(string subscriptionId) => new ConsumerProfile[]
    {
        new("PlaceOrder", "PlaceOrder", () => new JsonObject { ["orderId"] = OrderId }, ["orderId"],
        [
            ("an order that does not exist", body => body["orderId"] = UnknownOrderId),
        ]),
        new("ShipOrder", "ShipOrder", ShipOrder, ["orderId", "items[0].sku"],
        [
            ("a negative quantity", body => body["items"]![0]!["quantity"] = -3),
            ("a quantity of 0", body => body["items"]![0]!["quantity"] = 0),
            ("no items", body => body["items"] = new JsonArray()),
            ("no address", body => body.Remove("address")),
            ("an address without a city", body => body["address"]!["city"] = " "),
        ]),
        new("CancelShipment", "CancelShipment", () => new JsonObject { ["orderId"] = OrderId, ["dispatchSequence"] = 5, ["reason"] = "Cancelled" }, ["orderId"],
        [
            ("a negative dispatchSequence", body => body["dispatchSequence"] = -1),
            ("a reason of 1 MiB", body => body["reason"] = new string('r', 1024 * 1024)),
        ]),
        new("DispatchBookedShipment", "DispatchBookedShipment", () => new JsonObject { ["orderId"] = OrderId, ["dispatchSequence"] = 5 }, ["orderId"],
        [
            ("a negative dispatchSequence", body => body["dispatchSequence"] = -1),
            ("an order that has no shipment", body => body["orderId"] = UnknownOrderId),
        ]),
        new("NotifyCustomer", "OrderAccepted", () => Event("OrderAccepted"), ["data.orderId"],
        [
            ("an order that does not exist", body => SetOrder(body, UnknownOrderId)),
            ("a type that is not its Subject", body => body["type"] = "OrderCompleted"),
        ]),
        new("SendEmail", "SendEmail", SendEmail, ["orderId", "eventType"],
        [
            ("a recipient that is no address", body => body["to"] = "not an address"),
            ("a recipient with a line break", body => body["to"] = "ada@example.com\r\nBcc: all@example.com"),
            ("no subject", body => body["subject"] = ""),
            ("no body", body => body["body"] = "  "),
        ]),
        new("OrderCompleted", "OrderCompleted", () => Event("OrderCompleted"), ["data.orderId", "data.items[0].sku"],
        [
            ("a negative quantity", body => body["data"]!["items"]![0]!["quantity"] = -5),
            ("a quantity of 0", body => body["data"]!["items"]![0]!["quantity"] = 0),
            ("no items", body => body["data"]!["items"] = new JsonArray()),
            ("quantities adding up past int.MaxValue", body => body["data"]!["items"] = new JsonArray(
                new JsonObject { ["sku"] = "SKU-001", ["quantity"] = int.MaxValue }, new JsonObject { ["sku"] = "sku-001", ["quantity"] = int.MaxValue })),
            ("a type that is not its Subject", body => body["type"] = "OrderAccepted"),
        ]),
        new("FanOutWebhooks", "OrderAccepted", () => Event("OrderAccepted"), ["data.orderId"],
        [
            ("a subject that is not data.orderId", body => body["subject"] = UnknownOrderId),
            ("a type that is not its Subject", body => body["type"] = "OrderCompleted"),
            ("no event id", body => body["id"] = ""),
        ]),
        new("ShipmentDispatched", "ShipmentDispatched", () => Event("ShipmentDispatched"), ["data.orderId"],
        [
            ("a type that is not its Subject", body => body["type"] = "ShipmentCancelled"),
        ]),
        new("DeliverWebhook", "DeliverWebhook", () => DeliverWebhook(subscriptionId), ["deliveryId", "subscriptionId", "event.data.orderId"],
        [
            ("a negative round", body => body["round"] = -1),
            ("an event without a type", body => body["event"]!["type"] = ""),
            ("a callback without a URL", body => body["subscriptionId"] = "callback"),
            ("a callback to file:///etc/passwd", body => { body["subscriptionId"] = "callback"; body["callbackUrl"] = "file:///etc/passwd"; }),
            ("a callback to a relative URL", body => { body["subscriptionId"] = "callback"; body["callbackUrl"] = "/hooks"; }),
            ("a callback for the order id ../x", body =>
            {
                body["subscriptionId"] = "callback";
                body["callbackUrl"] = "https://hooks.example/in";
                SetOrder((JsonObject)body["event"]!, "../x");
            }),
        ]),
        new("ReorderStock", "ReorderStock", () => new JsonObject { ["reorderId"] = "SKU-001-1", ["sku"] = "SKU-001", ["quantity"] = 50, ["requestedAt"] = "2026-12-01T12:00:00Z" }, ["reorderId", "sku"],
        [
            ("a quantity of 0", body => body["quantity"] = 0),
            ("a negative quantity", body => body["quantity"] = -5),
        ]),
        new("StockReplenished", "StockReplenished", StockReplenished, ["replenishmentId", "reorderId", "sku"],
        [
            ("a quantity of 0", body => body["quantity"] = 0),
            ("a quantity of ten million", body => body["quantity"] = 10_000_000),
            ("a SKU the shop keeps no stock of", body => body["sku"] = "NO-SUCH-SKU"),
        ]),
    }.ToDictionary(profile => profile.Name, StringComparer.Ordinal);

    /// <summary>The valid body with the field at <paramref name="path"/> (like <c>data.items[0].sku</c>) set.</summary>
    public JsonObject With(string path, JsonNode? value)
    {
        var body = ValidBody();
        if (path == "data.orderId")
        {
            body["subject"] = value?.DeepClone(); // an event's subject is its order id
        }

        var parts = path.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        JsonNode node = body;
        foreach (var part in parts[..^1])
        {
            node = part.StartsWith('[') ? node[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        }

        if (parts[^1].StartsWith('['))
        {
            node[int.Parse(parts[^1][1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            node[parts[^1]] = value;
        }

        return body;
    }

    public IEnumerable<BadMessage> Generate(IReadOnlyList<string> otherSubjects)
    {
        var valid = ValidBody().ToJsonString();
        BadMessage Bad(string category, string description, string? subject, byte[] body, string reason) =>
            new(Name, category, description, subject, body, reason);
        byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

        string?[] subjects = [null, string.Empty, "Nope", Subject.ToLowerInvariant(), Subject + "\u202e", new string('S', 10_000), .. otherSubjects];
        foreach (var subject in subjects)
        {
            yield return Bad("wrong-subject", $"Subject {(subject is null ? "missing" : $"'{(subject.Length > 40 ? subject[..40] + "..." : subject)}'")}",
                subject, Utf8(valid), DeadLetterReasons.UnknownMessageType);
        }

        string[] malformed = ["", "{", "not json", "[1, 2]", "\"a string\"", "42", "null", "{\"orderId\": \"x\",}", valid[..^1], valid + "}"];
        foreach (var body in malformed)
        {
            yield return Bad("malformed", $"body '{(body.Length > 30 ? body[..30] + "..." : body)}'", Subject, Utf8(body), DeadLetterReasons.MalformedMessage);
        }

        yield return Bad("malformed", "10,000 nested arrays", Subject, Utf8(new string('[', 10_000) + new string(']', 10_000)), DeadLetterReasons.MalformedMessage);
        var marked = With(IdFields[0], "@@bytes@@").ToJsonString();
        var at = marked.IndexOf("@@bytes@@", StringComparison.Ordinal);
        yield return Bad("malformed", $"invalid UTF-8 (overlong '/') in {IdFields[0]}", Subject, [.. Utf8(marked[..at]), 0xC0, 0xAF, .. Utf8(marked[(at + 9)..])], DeadLetterReasons.MalformedMessage);
        yield return Bad("huge", "1 MiB of garbage", Subject, Utf8(new string('x', 1024 * 1024)), DeadLetterReasons.MalformedMessage);

        foreach (var field in IdFields)
        {
            foreach (var wrong in new JsonNode[] { JsonValue.Create(42), new JsonArray(), new JsonObject(), JsonValue.Create(true) })
            {
                yield return Bad("wrong-types", $"{field} = {wrong.ToJsonString()}", Subject, Utf8(With(field, wrong).ToJsonString()), DeadLetterReasons.MalformedMessage);
            }

            foreach (var id in new[] { "../../Orders", "..\\..\\x", "%2e%2e%2f", "' or PartitionKey ne '", "a/b", "a#b", "a?b", "\u0000", "\t", " " })
            {
                yield return Bad("traversal-ids", $"{field} = '{id}'", Subject, Utf8(With(field, id).ToJsonString()), DeadLetterReasons.ValidationFailed);
            }

            yield return Bad("huge", $"{field} of 1 MiB", Subject, Utf8(With(field, new string('a', 1024 * 1024)).ToJsonString()), DeadLetterReasons.ValidationFailed);
            yield return Bad("missing-fields", $"{field} = null", Subject, Utf8(With(field, null).ToJsonString()), DeadLetterReasons.ValidationFailed);
        }

        yield return Bad("missing-fields", "{}", Subject, Utf8("{}"), DeadLetterReasons.ValidationFailed);
        foreach (var (description, edit) in Nonsense)
        {
            var body = ValidBody();
            edit(body);
            yield return Bad("nonsense", description, Subject, Utf8(body.ToJsonString()), DeadLetterReasons.ValidationFailed);
        }
    }

    private static JsonObject StockReplenished() => new()
    {
        ["replenishmentId"] = "SKU-001-1",
        ["reorderId"] = "SKU-001-1",
        ["sku"] = "SKU-001",
        ["quantity"] = 50,
        ["deliveredAt"] = "2026-12-01T12:00:00Z",
    };

    private static JsonObject ShipOrder() => new()
    {
        ["orderId"] = OrderId,
        ["items"] = new JsonArray(new JsonObject { ["sku"] = "SKU-001", ["quantity"] = 1 }),
        ["address"] = new JsonObject { ["line1"] = "1 Main St", ["city"] = "London", ["postalCode"] = "N1 9GU", ["country"] = "GB" },
    };

    private static JsonObject SendEmail() => new()
    {
        ["orderId"] = OrderId,
        ["eventType"] = "OrderAccepted",
        ["to"] = "ada@example.com",
        ["toName"] = "Ada",
        ["subject"] = "Your order",
        ["body"] = "Thank you.",
    };

    private static JsonObject Event(string type) => new()
    {
        ["id"] = $"{type}:{OrderId}:1",
        ["type"] = type,
        ["subject"] = OrderId,
        ["time"] = "2030-01-02T03:04:05+00:00",
        ["data"] = new JsonObject
        {
            ["orderId"] = OrderId,
            ["sequence"] = 1,
            ["status"] = "Accepted",
            ["items"] = new JsonArray(new JsonObject { ["sku"] = "SKU-001", ["quantity"] = 1 }),
        },
    };

    private static JsonObject DeliverWebhook(string subscriptionId)
    {
        var orderEvent = Event(OrderEventTypes.OrderAccepted);
        return new JsonObject
        {
            ["deliveryId"] = WebhookIds.DeliveryId(subscriptionId, orderEvent["id"]!.GetValue<string>(), DateTimeOffset.UnixEpoch),
            ["subscriptionId"] = subscriptionId,
            ["event"] = orderEvent,
            ["round"] = 0,
        };
    }

    private static void SetOrder(JsonObject orderEvent, string orderId)
    {
        orderEvent["subject"] = orderId;
        orderEvent["data"]!["orderId"] = orderId;
    }
}
