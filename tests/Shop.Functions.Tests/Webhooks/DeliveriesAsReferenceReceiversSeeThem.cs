using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Orders.Events;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Webhooks.Receivers;
using Shop.Functions.Webhooks;
using Shop.Functions.Webhooks.Delivery;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;
using Xunit;

namespace Shop.Functions.Tests.Webhooks;

/// <summary>
/// Real deliveries, captured by a receiver on 127.0.0.1 (a registered webhook during a secret rotation, an order's
/// callback, a delivery retried after a 500), checked as sent by independent reference implementations: npm
/// <c>standardwebhooks</c> and <c>cloudevents</c> (Node.js, tests/node-tools), NuGet <c>CloudNative.CloudEvents</c>, and
/// the receiver recipes of docs/webhooks.md in JavaScript and C#.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DeliveriesAsReferenceReceiversSeeThem(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly Mock<ServiceBusMessageActions> _actions = new();
    private ShopTestServices _shop = null!;
    private ManualClock _clock = null!;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        (_shop, _clock) = await WebhookTests.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Webhooks:RetryDelay"] = "00:00:00.010",
            ["Webhooks:RetryMaxDelay"] = "00:00:00.020",
        });

        // The npm library checks the timestamp against the receiver's clock: deliveries are stamped now.
        _clock.Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _shop.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task EveryReferenceLibraryAcceptsEachDeliveryAsSentWithEachSecretItWasSignedWith()
    {
        var wrongSecret = WebhookSignatures.GenerateSecret();
        var captured = new List<(ReceivedWebhook Request, OrderEvent Event, string[] Secrets)>();

        // A registered webhook during its rotation's grace period: signed with the new and the old secret.
        var (webhookId, oldSecret) = await WebhookTests.RegisterAsync(_shop, _receiver.Url.AbsoluteUri, "*");
        var newSecret = (await _shop.Get<WebhookSubscriptionStore>().RotateSecretAsync(webhookId, WebhookSignatures.GenerateSecret(), TimeSpan.FromHours(24), CancellationToken.None))!.Secret;
        var rotated = await WebhookEvents.CommandAsync(_shop, webhookId, OrderEventTypes.OrderAccepted);
        await ConsumeAsync(rotated);
        captured.Add((_receiver.Requests[^1], rotated.Event, [newSecret, oldSecret]));

        // An order's callback: signed with the order's callback secret.
        var order = await WebhookEvents.AddOrderAsync(_shop, _receiver.Url.AbsoluteUri);
        var callback = DeliverWebhook.ForCallback(order.CallbackUrl!, WebhookEvents.Event(OrderEventTypes.PaymentCaptured, order.OrderId));
        await ConsumeAsync(callback);
        captured.Add((_receiver.Requests[^1], callback.Event, [_shop.Get<CallbackSecrets>().For(order.OrderId)]));

        // A quick retry after a 500: both attempts as they were sent, the second stamped 20 s later.
        _receiver.Responder = request =>
        {
            _clock.Advance(TimeSpan.FromSeconds(20));
            return _receiver.RequestCount == 3 ? ReceiverReply.Status(500) : ReceiverReply.Status(200);
        };
        var retried = await WebhookEvents.CommandAsync(_shop, webhookId, OrderEventTypes.OrderCompleted);
        await ConsumeAsync(retried);
        captured.Add((_receiver.Requests[^2], retried.Event, [newSecret, oldSecret]));
        captured.Add((_receiver.Requests[^1], retried.Event, [newSecret, oldSecret]));
        Assert.Equal(4, _receiver.RequestCount);
        Assert.NotEqual(captured[2].Request.Header("webhook-timestamp"), captured[3].Request.Header("webhook-timestamp"));

        var now = _clock.Now;
        var node = await NodeVerifyAsync(captured.Select(c => (c.Request, (string[])[.. c.Secrets, wrongSecret], now)));
        for (var i = 0; i < captured.Count; i++)
        {
            var (request, orderEvent, secrets) = captured[i];
            var seen = node[i]!;
            var because = $"delivery {i} ({orderEvent.Type}): {seen.ToJsonString()}";

            // npm standardwebhooks: every secret it was signed with verifies on its own; another does not.
            var verdicts = seen["standardWebhooks"]!.AsArray().Select(v => v!["ok"]!.GetValue<bool>()).ToList();
            Assert.True(verdicts.SequenceEqual([.. secrets.Select(_ => true), false]), because);

            // npm cloudevents: a structured CloudEvent with the event's attributes and data.
            var cloudEvent = seen["cloudEvent"]!;
            Assert.True(cloudEvent["ok"]!.GetValue<bool>(), because);
            Assert.Equal(orderEvent.Id, cloudEvent["value"]!["id"]!.GetValue<string>());
            Assert.Equal(orderEvent.Type, cloudEvent["value"]!["type"]!.GetValue<string>());
            Assert.Equal("1.0", cloudEvent["value"]!["specversion"]!.GetValue<string>());
            Assert.Equal(orderEvent.Data.OrderId, cloudEvent["value"]!["data"]!["orderId"]!.GetValue<string>());

            // The docs' JavaScript recipe, given every secret (the wrong one last).
            Assert.Equal(orderEvent.Id, seen["recipe"]!["value"]?.GetValue<string>());

            // NuGet CloudNative.CloudEvents, and the docs' C# recipe.
            var parsed = await CloudNativeAsync(request);
            Assert.Equal((orderEvent.Id, orderEvent.Type, CloudEventsSpecVersion.V1_0), (parsed.Id, parsed.Type, parsed.SpecVersion));
            Assert.Equal(orderEvent.Data.OrderId, ((JsonElement)parsed.Data!).GetProperty("orderId").GetString());
            Assert.All(secrets, secret => Assert.True(CSharpRecipe(request, [secret], now), because));
            Assert.False(CSharpRecipe(request, [wrongSecret], now), because);
        }
    }

    [Fact]
    public async Task TheReferenceLibrariesRefuseWhatIsNotAsSent()
    {
        var (webhookId, secret) = await WebhookTests.RegisterAsync(_shop, _receiver.Url.AbsoluteUri, "*");
        await ConsumeAsync(await WebhookEvents.CommandAsync(_shop, webhookId));
        var sent = _receiver.Requests[^1];
        var asPlainJson = sent with { Headers = new Dictionary<string, string>(sent.Headers) { ["content-type"] = "application/json" } };
        var tampered = sent with { Body = sent.Body.Replace("OrderAccepted", "OrderCompleted", StringComparison.Ordinal) };
        var now = _clock.Now;

        var node = await NodeVerifyAsync([(asPlainJson, [secret], now), (tampered, [secret], now), (sent, [secret], now + TimeSpan.FromMinutes(10))]);

        Assert.False(node[0]!["cloudEvent"]!["ok"]!.GetValue<bool>(), "plain JSON is no structured CloudEvent to the npm library");
        Assert.False(CloudNativeSeesAnEvent(asPlainJson), "plain JSON is no structured CloudEvent to CloudNative.CloudEvents");
        Assert.True(CloudNativeSeesAnEvent(sent));
        Assert.False(node[1]!["standardWebhooks"]![0]!["ok"]!.GetValue<bool>(), "a changed body");
        Assert.False(CSharpRecipe(tampered, [secret], now));
        Assert.False(node[2]!["standardWebhooks"]![0]!["ok"]!.GetValue<bool>(), "ten minutes late");
        Assert.False(CSharpRecipe(sent, [secret], now + TimeSpan.FromMinutes(10)));
        Assert.True(CSharpRecipe(sent, [secret], now));
    }

    private Task ConsumeAsync(DeliverWebhook command) =>
        _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(WebhookEvents.Received(command), _actions.Object, CancellationToken.None);

    private static async Task<JsonArray> NodeVerifyAsync(IEnumerable<(ReceivedWebhook Request, string[] Secrets, DateTimeOffset Now)> deliveries)
    {
        var input = new JsonArray([.. deliveries.Select(d => (JsonNode)new JsonObject
        {
            ["headers"] = new JsonObject([.. d.Request.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)JsonValue.Create(h.Value)))]),
            ["body"] = d.Request.Body,
            ["secrets"] = new JsonArray([.. d.Secrets.Select(s => (JsonNode)JsonValue.Create(s))]),
            ["now"] = d.Now.ToUnixTimeSeconds(),
        })]);
        var (exitCode, stdout, stderr) = await NodeTools.RunAsync(["verify-deliveries.cjs"], input.ToJsonString());
        Assert.True(exitCode == 0, $"node verify-deliveries.cjs exited {exitCode}: {stderr}");
        return JsonNode.Parse(stdout)!.AsArray();
    }

    private static HttpRequestMessage AsRequestMessage(ReceivedWebhook request)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.Body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.Header("content-type"));
        return new HttpRequestMessage(HttpMethod.Post, "http://receiver.example/hooks") { Content = content };
    }

    private static bool CloudNativeSeesAnEvent(ReceivedWebhook request)
    {
        using var message = AsRequestMessage(request);
        return message.IsCloudEvent();
    }

    private static async Task<CloudEvent> CloudNativeAsync(ReceivedWebhook request)
    {
        using var message = AsRequestMessage(request);
        Assert.True(message.IsCloudEvent());
        return await message.ToCloudEventAsync(new JsonEventFormatter());
    }

    private static bool CSharpRecipe(ReceivedWebhook request, string[] secrets, DateTimeOffset now) =>
        ShopWebhookVerifier.IsAuthentic(
            secrets,
            request.Header("webhook-id"),
            request.Header("webhook-timestamp"),
            request.Header("webhook-signature"),
            Encoding.UTF8.GetBytes(request.Body),
            now);
}
