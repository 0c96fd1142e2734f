using System.Reflection;
using System.Text.Json;
using DurableTask.Core;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// Reads the history kept by the test host's in-memory engine. Its public ways to read history are not there in this
/// preview (the client's gRPC call answers an empty list, the engine's own method throws NotImplementedException), so
/// this takes the engine from the sidecar's container and the stored history from its instance store. Test code only:
/// if the preview changes shape, this fails loudly.
/// </summary>
public static class DurableHistory
{
    private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

    /// <summary>The history event types of one orchestration instance, in order.</summary>
    public static List<string> EventTypes(DurableTaskTestHost durable, string instanceId)
    {
        var instances = Instances(durable);
        var instance = instances[instanceId] ?? throw new InvalidOperationException($"No orchestration {instanceId}.");
        var history = instance.GetType().GetProperty("HistoryEventsJson")!.GetValue(instance)!;
        using var document = JsonDocument.Parse(history.ToString()!);
        return document.RootElement.EnumerateArray()
            .Select(e => ((DurableTask.Core.History.EventType)e.GetProperty("EventType").GetInt32()).ToString())
            .ToList();
    }

    /// <summary>Characters of history JSON the engine holds for all its instances (what Azure keeps in the History table).</summary>
    public static long HistoryCharacters(DurableTaskTestHost durable) =>
        Instances(durable).Values.Cast<object>()
            .Sum(instance => (long)(instance.GetType().GetProperty("HistoryEventsJson")!.GetValue(instance)?.ToString()?.Length ?? 0));

    private static System.Collections.IDictionary Instances(DurableTaskTestHost durable)
    {
        var engine = typeof(DurableTaskTestHost)
            .GetFields(Private)
            .Select(field => field.GetValue(durable))
            .OfType<IHost>()
            .Select(host => host.Services.GetServices<IOrchestrationService>().OfType<InMemoryOrchestrationService>().FirstOrDefault())
            .Single(service => service is not null)!;
        var store = engine.GetType().GetField("instanceStore", Private)!.GetValue(engine)!;
        return (System.Collections.IDictionary)store.GetType().GetField("store", Private)!.GetValue(store)!;
    }
}
