using System.Text.Json;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// The functions.metadata that the Functions SDK generated at build time: what the host (and Flex Consumption's
/// scale controller) sees of each function's bindings.
/// </summary>
public static class FunctionsMetadata
{
    private static readonly Lazy<IReadOnlyList<FunctionBindings>> Functions = new(Read);

    /// <summary>Every function with its bindings (the trigger, inputs and outputs), as JSON.</summary>
    public static IReadOnlyList<FunctionBindings> All => Functions.Value;

    /// <summary>The HTTP functions as the host will route them.</summary>
    public static IReadOnlyList<HttpFunction> Http =>
    [
        .. from function in All
           let trigger = function.Trigger
           where trigger.GetProperty("type").GetString() == "httpTrigger"
           select new HttpFunction(
               function.Name,
               trigger.GetProperty("route").GetString()!,
               [.. trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant())],
               trigger.GetProperty("authLevel").GetString()!),
    ];

    private static FunctionBindings[] Read()
    {
        var path = Path.Combine(TestPaths.FunctionsOutput, "functions.metadata");
        Assert.True(File.Exists(path), $"No functions.metadata at {path}: build functions/Shop.Functions.csproj first.");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray()
            .Select(function => new FunctionBindings(
                function.GetProperty("name").GetString()!,
                function.GetProperty("bindings").EnumerateArray().Select(b => b.Clone()).ToArray()))
            .ToArray();
    }
}

public sealed record FunctionBindings(string Name, IReadOnlyList<JsonElement> Bindings)
{
    public JsonElement Trigger => Bindings.Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
}

/// <summary>An HTTP function as the Functions host will route it: name, route (under <c>api/</c>), methods, auth level.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, string AuthLevel);
