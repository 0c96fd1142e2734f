using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Shop.Functions.Platform.OpenApi;

/// <summary>Writes the OpenAPI document as it was written by hand: names untouched (not camelCased), no indentation.</summary>
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class OpenApiJsonContext : JsonSerializerContext;
