using System.Text.Json;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Infra;

/// <summary>infra/local/servicebus-emulator.json: the Service Bus emulator's entities (its one namespace).</summary>
public static class EmulatorConfig
{
    private static readonly Lazy<JsonElement> Namespace = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestPaths.InRepository("infra", "local", "servicebus-emulator.json")));
        return document.RootElement.GetProperty("UserConfig").GetProperty("Namespaces").EnumerateArray().Single().Clone();
    });

    public static Dictionary<string, JsonElement> Queues => ByName(Namespace.Value.GetProperty(nameof(Queues)));

    public static Dictionary<string, JsonElement> Topics => ByName(Namespace.Value.GetProperty(nameof(Topics)));

    public static Dictionary<string, JsonElement> Subscriptions(string topic) => ByName(Topics[topic].GetProperty("Subscriptions"));

    private static Dictionary<string, JsonElement> ByName(JsonElement array) =>
        array.EnumerateArray().ToDictionary(e => e.GetProperty("Name").GetString()!, StringComparer.Ordinal);
}
