using System.Text.Json.Nodes;
using Shop.Functions.Platform.OpenApi;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform.OpenApi;

/// <summary>
/// The OpenAPI document as API tools read it: Redocly's linter (the <c>@redocly/cli</c> pinned in tests/node-tools,
/// recommended rules) finds no error; every operation says how it is authorized, keyed ones document the host's 401,
/// and the operations that make Shop post to an endpoint describe those posts as callbacks.
/// </summary>
public sealed class OpenApiDocumentLint
{
    private static readonly Lazy<JsonObject> Document = new(() => JsonNode.Parse(OpenApiDocument.Utf8Json.Span)!.AsObject());

    [Fact]
    public async Task RedoclyLintWithTheRecommendedRulesFindsNoError()
    {
        var file = Path.Combine(Path.GetTempPath(), $"shop-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllBytesAsync(file, OpenApiDocument.Utf8Json.ToArray());
        try
        {
            var (exitCode, stdout, stderr) = await NodeTools.RunAsync(
                ["node_modules/@redocly/cli/bin/cli.js", "lint", "--extends", "recommended", "--format", "json", file]);

            var report = JsonNode.Parse(stdout)!;
            var errors = report["problems"]!.AsArray()
                .Where(p => (string?)p!["severity"] == "error")
                .Select(p => $"{p!["ruleId"]}: {p["message"]} at {p["location"]?[0]?["pointer"]}")
                .ToList();
            Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
            Assert.Equal(0, (int)report["totals"]!["errors"]!);
            Assert.True(exitCode == 0, $"redocly lint exited {exitCode}: {stderr}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EveryOperationDeclaresItsSecurityAndKeyedOnesDocument401()
    {
        foreach (var (id, operation) in Operations())
        {
            var security = Assert.IsType<JsonArray>(operation["security"], exactMatch: false);
            var responses = operation["responses"]!.AsObject();
            if (security.Count == 0)
            {
                // The host never answers 401 here; the app may (Stripe's webhook refuses a bad Stripe-Signature), with its own problem.
                var unauthorized = responses["401"];
                Assert.True(
                    unauthorized is null || unauthorized["content"]?["application/problem+json"] is not null,
                    $"{id} is anonymous but documents the host's 401");
            }
            else
            {
                Assert.True(
                    (string?)responses["401"]?["$ref"] == "#/components/responses/Unauthorized",
                    $"{id} takes a key but does not document the host's 401 (#/components/responses/Unauthorized)");
            }
        }
    }

    [Theory]
    [InlineData("RegisterWebhook", "#/components/callbacks/WebhookDeliveries", "{$request.body#/url}")]
    [InlineData("SubmitOrder", "#/components/callbacks/OrderCallbackDeliveries", "{$request.body#/callbackUrl}")]
    public void DescribesTheDeliveriesAnOperationCausesAsACallback(string operationId, string reference, string expression)
    {
        var operation = Operations().Single(o => o.Id == operationId).Node;
        Assert.Equal(reference, (string?)operation["callbacks"]!["orderEvents"]!["$ref"]);

        var callback = Document.Value["components"]!["callbacks"]![reference.Split('/')[^1]]![expression]!["post"]!;
        var body = callback["requestBody"]!["$ref"]!.GetValue<string>().Split('/')[^1];
        Assert.Equal(
            "#/components/schemas/OrderEventCloudEvent",
            (string?)Document.Value["components"]!["requestBodies"]![body]!["content"]!["application/cloudevents+json"]!["schema"]!["$ref"]);
        var headers = callback["parameters"]!.AsArray()
            .Select(p => Document.Value["components"]!["parameters"]![p!["$ref"]!.GetValue<string>().Split('/')[^1]]!)
            .Select(p => ((string?)p["in"], (string?)p["name"]));
        Assert.Equal(
            [("header", "webhook-id"), ("header", "webhook-timestamp"), ("header", "webhook-signature"), ("header", "WebHook-Request-Origin")],
            headers);
    }

    private static IEnumerable<(string Id, JsonObject Node)> Operations() =>
        Document.Value["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject())
            .Where(method => method.Value is JsonObject { } op && op.ContainsKey("operationId"))
            .Select(method => ((string)method.Value!["operationId"]!, method.Value!.AsObject()));
}
