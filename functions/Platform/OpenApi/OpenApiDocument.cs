using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.Functions.Platform.OpenApi;

/// <summary>
/// The OpenAPI 3 document of the HTTP API, put together once from embedded JSON: the base (<c>Platform/OpenApi/openapi.json</c>:
/// info, servers, security schemes, shared components) and one fragment per feature (<c>*.openapi.json</c> next to the
/// feature's code, holding its <c>paths</c>, <c>components</c> and <c>tags</c>). A new feature adds a fragment; nothing
/// here changes. Two fragments declaring the same path or component is a build defect: the first use throws.
/// </summary>
public static class OpenApiDocument
{
    internal const string BaseResource = "Shop.Functions.OpenApi.openapi.json";
    internal const string FragmentPrefix = "Shop.Functions.OpenApi.Fragments.";

    private static readonly Lazy<byte[]> Document = new(Build);

    /// <summary>The merged document, UTF-8 JSON.</summary>
    public static ReadOnlyMemory<byte> Utf8Json => Document.Value;

    internal static IReadOnlyList<string> FragmentNames() =>
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(FragmentPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    private static Assembly Assembly => typeof(OpenApiDocument).Assembly;

    private static byte[] Build()
    {
        var document = Read(BaseResource);
        foreach (var name in FragmentNames())
        {
            Merge(document, Read(name), name);
        }

        return JsonSerializer.SerializeToUtf8Bytes(document, OpenApiJsonContext.Default.JsonObject);
    }

    internal static void Merge(JsonObject document, JsonObject fragment, string source)
    {
        foreach (var (key, value) in fragment)
        {
            switch (key)
            {
                case "paths":
                    MergeMap(Object(document, "paths"), value, source, "path");
                    break;
                case "components":
                    foreach (var (kind, entries) in value!.AsObject())
                    {
                        MergeMap(Object(Object(document, "components"), kind), entries, source, $"components.{kind} entry");
                    }

                    break;
                case "tags":
                    var tags = document["tags"] as JsonArray ?? (JsonArray)(document["tags"] = new JsonArray());
                    foreach (var tag in value!.AsArray())
                    {
                        tags.Add(tag!.DeepClone());
                    }

                    break;
                default:
                    throw new InvalidOperationException($"OpenAPI fragment {source} has '{key}'; fragments hold only paths, components and tags.");
            }
        }
    }

    private static void MergeMap(JsonObject target, JsonNode? entries, string source, string what)
    {
        foreach (var (name, entry) in entries!.AsObject())
        {
            if (target.ContainsKey(name))
            {
                throw new InvalidOperationException($"OpenAPI fragment {source} declares the {what} '{name}', which is declared already.");
            }

            target[name] = entry!.DeepClone();
        }
    }

    private static JsonObject Object(JsonObject parent, string name) =>
        parent[name] as JsonObject ?? (JsonObject)(parent[name] = new JsonObject());

    private static JsonObject Read(string resource)
    {
        using var stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource '{resource}' is missing from the functions assembly.");
        return JsonNode.Parse(stream)?.AsObject() ?? throw new InvalidOperationException($"'{resource}' is not a JSON object.");
    }
}
