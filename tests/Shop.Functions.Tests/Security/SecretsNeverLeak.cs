using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Moq;
using Shop.Functions.Orders.GetOrder;
using Shop.Functions.Orders.GetOrderStatus;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Shop.Functions.Tests.Webhooks;
using Shop.Functions.Webhooks.DeliveryLog;
using Shop.Functions.Webhooks.Dispatch;
using Shop.Functions.Webhooks.Registration;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Security;

/// <summary>
/// Issue 9, secrets: real flows (an order with a payment token, an Idempotency-Key and a callback; a webhook registered,
/// read and rotated; deliveries with the real sender to a receiver that echoes every header it got back in its error
/// body; a submission while storage is down) with every log record captured, scopes and exceptions included. No payment
/// token, webhook or callback secret, signature, idempotency secret, connection string or account key may appear in a
/// log record, nor in an HTTP answer other than the one meant to show it.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class SecretsNeverLeak(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const string PaymentToken = "tok_visa_secret_123";
    private const string IdempotencyKey = "idem-7c1f0e52-secret-key";

    // Azurite's well-known development key: the one account key the tests have, so the one to look for.
    private const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string ServiceBusKey = "c2VydmljZS1idXMta2V5LXRoYXQtbXVzdC1uZXZlci1iZS1sb2dnZWQ=";
    private const string ServiceBusConnectionString =
        $"Endpoint=sb://shop-test.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={ServiceBusKey}";

    private readonly List<(string What, string Body, string[] MayShow)> _answers = [];
    private WebhookReceiver _receiver = null!;
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.Default = ReceiverReply.Echo(500, request => "you sent:\n" + string.Join('\n', request.Headers.Select(h => $"{h.Key}: {h.Value}")));
        (_shop, _) = await WebhookTests.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["ServiceBus"] = ServiceBusConnectionString,
            ["Webhooks:RetryDelay"] = "00:00:00.010",
            ["Webhooks:RetryMaxDelay"] = "00:00:00.020",
        });
    }

    public async Task DisposeAsync()
    {
        await _shop.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task NoSecretInAnyLogRecordOrAnswerAcrossRealFlows()
    {
        // An order with a payment token, an idempotency key and a callback; submitted twice; read back.
        var body = OrderRequests.With(b => b["callbackUrl"] = _receiver.Url.AbsoluteUri);
        var accepted = await SubmitAsync(_shop, body);
        Assert.Equal(StatusCodes.Status202Accepted, accepted.Status);
        var orderId = accepted.Json().GetProperty("orderId").GetString()!;
        var callbackSecret = accepted.Json().GetProperty("callbackSecret").GetString()!;
        Answer("202 to the submission", accepted, callbackSecret);
        Answer("202 to the same submission again", await SubmitAsync(_shop, body), callbackSecret);
        Answer("the order", await RunAsync(HttpTest.Request("GET", $"/api/orders/{orderId}"), (r, f) => f.Function<GetOrderFunction>().GetOrder(r, orderId, default)));
        Answer("the status", await RunAsync(HttpTest.Request("GET", $"/api/orders/{orderId}/status"), (r, f) => f.Function<GetOrderStatusFunction>().GetOrderStatus(r, orderId, default)));

        // A webhook: registered (its secret shown once), read, rotated (the new one shown once), read again.
        var registered = await WebhookTests.RegisterAsync(_shop, WebhookTests.Registration(_receiver.Url.AbsoluteUri, "*"));
        var webhookId = registered.Json().GetProperty("id").GetString()!;
        var firstSecret = registered.Json().GetProperty("secret").GetString()!;
        Answer("201 to the registration", registered, firstSecret);
        Answer("the webhook", await RunAsync(HttpTest.Request("GET", $"/api/webhooks/{webhookId}"), (r, f) => f.Function<WebhookSubscriptionFunctions>().GetWebhook(r, webhookId, default)));
        var rotated = await RunAsync(HttpTest.Request("POST", $"/api/webhooks/{webhookId}/rotate-secret"), (r, f) => f.Function<WebhookSubscriptionFunctions>().RotateWebhookSecret(r, webhookId, default));
        var secondSecret = rotated.Json().GetProperty("secret").GetString()!;
        Answer("200 to the rotation", rotated, secondSecret);
        Answer("the webhooks", await RunAsync(HttpTest.Request("GET", "/api/webhooks"), (r, f) => f.Function<WebhookSubscriptionFunctions>().ListWebhooks(r, default)));

        // Deliveries with the real sender, signed with both webhook secrets and with the callback secret, to a receiver
        // that answers 500 with every header it got: signatures come back in the error body the sender reads.
        var orderEvent = WebhookEvents.Event("OrderAccepted", orderId);
        await DeliverAsync(DeliverWebhook.ForSubscription(webhookId, orderEvent));
        await DeliverAsync(DeliverWebhook.ForCallback(_receiver.Url.AbsoluteUri, orderEvent));
        Answer("the delivery log", await RunAsync(
            HttpTest.Request("GET", $"/api/webhooks/{webhookId}/deliveries"), (r, f) => f.Function<WebhookDeliveryFunctions>().ListWebhookDeliveries(r, webhookId, default)));
        var signatures = _receiver.Requests.SelectMany(r => r.Header("webhook-signature").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Contains(_receiver.Requests, r => r.Header("webhook-signature").Split(' ').Length == 2);

        // A submission while storage is down: 503, and the failure logged with its exception.
        await using var down = await ShopTestServices.StartAsync(azurite.UnreachableConnectionString(), new Dictionary<string, string?> { ["ServiceBus"] = ServiceBusConnectionString });
        var refused = await SubmitAsync(down, OrderRequests.ValidJson());
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, refused.Status);
        Answer("503 with storage down", refused);

        var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["payment token"] = PaymentToken,
            ["first webhook secret"] = firstSecret,
            ["first webhook secret's key"] = firstSecret["whsec_".Length..],
            ["second webhook secret"] = secondSecret,
            ["second webhook secret's key"] = secondSecret["whsec_".Length..],
            ["callback secret"] = callbackSecret,
            ["callback secret's key"] = callbackSecret["whsec_".Length..],
            ["Orders:IdempotencySecret"] = ShopTestServices.TestIdempotencySecret,
            ["storage connection string"] = azurite.ConnectionString,
            ["storage account key"] = AzuriteAccountKey,
            ["Service Bus connection string"] = ServiceBusConnectionString,
            ["Service Bus key"] = ServiceBusKey,
        };
        for (var i = 0; i < signatures.Count; i++)
        {
            secrets[$"signature {i + 1}"] = signatures[i]["v1,".Length..];
        }

        var records = _shop.Logs.Records.Concat(down.Logs.Records).ToList();
        output.WriteLine($"{records.Count} log records, {_answers.Count} answers, {_receiver.RequestCount} deliveries received, {secrets.Count} secrets looked for");
        Assert.True(records.Count > 20, "Too few log records: the flows did not run.");
        Assert.Contains(records, r => r.Exception is not null);
        var leaks = new List<string>();
        foreach (var record in records)
        {
            var text = new StringBuilder(record.Message).AppendJoin('\n', record.Scope.Select(s => $"{s.Key}={s.Value}")).Append(record.Exception).ToString();
            leaks.AddRange(secrets.Where(s => text.Contains(s.Value, StringComparison.Ordinal)).Select(s => $"the {s.Key} in a log record of {record.Category}: {record.Message}"));
        }

        foreach (var (what, answer, mayShow) in _answers)
        {
            leaks.AddRange(secrets.Where(s => !mayShow.Contains(s.Value) && !mayShow.Any(m => m.EndsWith(s.Value, StringComparison.Ordinal)) && answer.Contains(s.Value, StringComparison.Ordinal))
                .Select(s => $"the {s.Key} in {what}"));
        }

        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    private void Answer(string what, TestResponse response, params string[] mayShow) =>
        _answers.Add((what, response.Body + string.Concat(response.Headers.Select(h => $"\n{h.Key}: {h.Value}")), mayShow));

    private static async Task<TestResponse> SubmitAsync(ShopTestServices shop, string body)
    {
        var request = HttpTest.Request("POST", "/api/orders", body, headers: new Dictionary<string, string> { [SubmitOrderFunction.IdempotencyKeyHeader] = IdempotencyKey });
        return await HttpTest.RunAsync(request, await shop.Function<SubmitOrderFunction>().SubmitOrder(request, CancellationToken.None));
    }

    private async Task<TestResponse> RunAsync(HttpRequest request, Func<HttpRequest, ShopTestServices, Task<Microsoft.AspNetCore.Mvc.IActionResult>> call) =>
        await HttpTest.RunAsync(request, await call(request, _shop));

    private async Task DeliverAsync(DeliverWebhook command)
    {
        var actions = new Mock<ServiceBusMessageActions>();
        await _shop.Function<DeliverWebhookConsumer>().DeliverWebhook(ServiceBusMessages.Received(command.ToMessage()), actions.Object, CancellationToken.None);
    }
}
