using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Platform.OpenApi;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform.OpenApi;

/// <summary>
/// The OpenAPI document against what the host will route (functions.metadata): every HTTP function is an operation
/// with its name as operationId, its route and its methods, and the document has no other operation. A new endpoint
/// fails this until its feature's <c>*.openapi.json</c> describes it.
/// </summary>
public sealed partial class OpenApiDocumentContract
{
    private static readonly Lazy<JsonObject> Document = new(() => JsonNode.Parse(OpenApiDocument.Utf8Json.Span)!.AsObject());

    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    [Fact]
    public void DescribesEveryHttpFunctionWithItsRouteAndMethodsAndNothingElse()
    {
        var routed = FunctionsMetadata.Http
            .SelectMany(f => f.Methods.Select(m => $"{f.Name} {m} /{RouteConstraint().Replace(f.Route.Trim('/'), "{$1}")}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(routed, Operations().Select(o => $"{o.Id} {o.Method} {o.Path}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AsksForAKeyWhereTheFunctionNeedsOne()
    {
        var levels = FunctionsMetadata.Http.ToDictionary(f => f.Name, f => f.AuthLevel);

        foreach (var operation in Operations())
        {
            var schemes = operation.Node["security"]?.AsArray().SelectMany(r => r!.AsObject().Select(p => p.Key)).ToList() ?? [];
            var expected = levels[operation.Id] switch
            {
                "Anonymous" => [],
                "Admin" => new[] { "adminKey" },
                _ => ["functionKey"],
            };
            Assert.True(expected.SequenceEqual(schemes), $"{operation.Id}: security {string.Join(",", schemes)}, expected {string.Join(",", expected)}");
        }
    }

    [Fact]
    public void DeclaresEveryPathParameter()
    {
        foreach (var operation in Operations())
        {
            var declared = (operation.Node["parameters"]?.AsArray() ?? [])
                .Select(p => Resolve(p!))
                .Where(p => (string?)p!["in"] == "path")
                .Select(p => (string)p!["name"]!)
                .Order(StringComparer.Ordinal);
            var inPath = PathParameter().Matches(operation.Path).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
            Assert.True(inPath.SequenceEqual(declared), $"{operation.Id}: path parameters {string.Join(",", inPath)}, declared {string.Join(",", declared)}");
        }
    }

    [Fact]
    public void ResolvesEveryReference()
    {
        var references = new List<string>();
        Collect(Document.Value, references);

        Assert.NotEmpty(references);
        Assert.All(references, reference => Assert.NotNull(Resolve(new JsonObject { ["$ref"] = reference })));
    }

    [Fact]
    public void IsOpenApi3WithARelativeServerUnderTheRoutePrefix()
    {
        Assert.Equal("3.0.3", (string?)Document.Value["openapi"]);
        Assert.Equal("/api", (string?)Document.Value["servers"]![0]!["url"]);
        Assert.NotEmpty(OpenApiDocument.FragmentNames());
    }

    [Fact]
    public void RefusesAFragmentThatDeclaresAPathAgain()
    {
        var document = JsonNode.Parse(OpenApiDocument.Utf8Json.Span)!.AsObject();
        var fragment = new JsonObject { ["paths"] = new JsonObject { ["/health"] = new JsonObject() } };

        Assert.Throws<InvalidOperationException>(() => OpenApiDocument.Merge(document, fragment, "test"));
    }

    [Fact]
    public async Task ServesTheDocumentWithAnETagAnd304()
    {
        var function = new GetOpenApiDocumentFunction();
        var request = HttpTest.Request("GET", "/api/openapi.json", contentType: null);
        var response = await HttpTest.RunAsync(request, function.GetOpenApiDocument(request));
        var again = HttpTest.Request("GET", "/api/openapi.json", contentType: null, headers: new Dictionary<string, string> { ["If-None-Match"] = response.Header("ETag")! });
        var notModified = await HttpTest.RunAsync(again, function.GetOpenApiDocument(again));

        Assert.Equal(StatusCodes.Status200OK, response.Status);
        Assert.StartsWith("application/json", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("3.0.3", response.Json().GetProperty("openapi").GetString());
        Assert.Equal(StatusCodes.Status304NotModified, notModified.Status);
    }

    private static List<(string Id, string Method, string Path, JsonObject Node)> Operations() =>
    [
        .. from path in Document.Value["paths"]!.AsObject()
           from entry in path.Value!.AsObject()
           where HttpMethods.Contains(entry.Key)
           select ((string)entry.Value!["operationId"]!, entry.Key, path.Key, entry.Value!.AsObject()),
    ];

    private static JsonNode? Resolve(JsonNode node)
    {
        if (node is not JsonObject { } obj || !obj.TryGetPropertyValue("$ref", out var reference))
        {
            return node;
        }

        JsonNode? target = Document.Value;
        foreach (var segment in ((string)reference!).TrimStart('#', '/').Split('/'))
        {
            target = target?[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return target;
    }

    private static void Collect(JsonNode? node, List<string> references)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref")
                    {
                        references.Add(value!.GetValue<string>());
                    }
                    else
                    {
                        Collect(value, references);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, references);
                }

                break;
        }
    }

    // {name:constraint} or {name?} in a route is {name} in an OpenAPI path.
    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?:[:?][^}]*)?\}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PathParameter();
}
