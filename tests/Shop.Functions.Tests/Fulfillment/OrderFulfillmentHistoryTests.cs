using System.Reflection;
using System.Text.Json;
using DurableTask.Core;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// How much orchestration history one completed order costs (storage and replay time in Azure grow with it).
/// The count is printed for docs/performance.md; the assertion only catches a saga that starts looping.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentHistory(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task RecordsABoundedHistoryPerCompletedOrder()
    {
        await using var saga = await SagaHarness.StartAsync(azurite);
        await saga.SetStockAsync("SKU-001", 1_000);
        await saga.SetStockAsync("SKU-002", 1_000);

        var orderId = await saga.SubmitAndPlaceAsync();
        await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await saga.DispatchAsync(orderId);
        await saga.WaitForEndAsync(orderId);

        var events = HistoryEventTypes(saga, orderId);

        output.WriteLine($"History events per completed order: {events.Count}");
        foreach (var group in events.GroupBy(e => e).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  {group.Key}: {group.Count()}");
        }

        Assert.InRange(events.Count, 10, 60);
    }

    /// <summary>
    /// Reads the history kept by the test host's in-memory engine. Its public ways to read history are not there
    /// in this preview (the client's gRPC call answers an empty list, the engine's own method throws
    /// NotImplementedException), so this takes the engine from the sidecar's container and the stored history
    /// from its instance store. Test code only: if the preview changes shape, this fails loudly.
    /// </summary>
    private static List<string> HistoryEventTypes(SagaHarness saga, string orderId)
    {
        const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
        var engine = typeof(DurableTaskTestHost)
            .GetFields(Private)
            .Select(field => field.GetValue(saga.Durable))
            .OfType<IHost>()
            .Select(host => host.Services.GetServices<IOrchestrationService>().OfType<InMemoryOrchestrationService>().FirstOrDefault())
            .Single(service => service is not null)!;
        var store = engine.GetType().GetField("instanceStore", Private)!.GetValue(engine)!;
        var instances = (System.Collections.IDictionary)store.GetType().GetField("store", Private)!.GetValue(store)!;
        var instance = instances[orderId]!;
        var history = instance.GetType().GetProperty("HistoryEventsJson")!.GetValue(instance)!;
        return JsonDocument.Parse(history.ToString()!).RootElement.EnumerateArray()
            .Select(e => ((DurableTask.Core.History.EventType)e.GetProperty("EventType").GetInt32()).ToString())
            .ToList();
    }
}
