using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Shop.Functions.Tests.EndToEnd.Harness;

/// <summary>
/// One client over the pipeline's engines, as one task hub's client is over its partitions: every call about an instance
/// goes to the engine that holds it (<see cref="ShopPipeline.EngineFor"/>). So a function whose message does not name the
/// order it acts on (StockReplenished wakes the sagas of every order waiting for a SKU) reaches each saga where it lives.
/// Queries across instances are not routed: they throw, as no code path of the app's consumers makes one.
/// </summary>
public sealed class RoutingDurableTaskClient(Func<string, DurableTaskClient> route) : DurableTaskClient("routing")
{
    public override Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) =>
        options?.InstanceId is { Length: > 0 } instanceId
            ? route(instanceId).ScheduleNewOrchestrationInstanceAsync(orchestratorName, input, options, cancellation)
            : throw new NotSupportedException("The pipeline routes a new orchestration by its instance id; give one.");

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        route(instanceId).RaiseEventAsync(instanceId, eventName, eventPayload, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        route(instanceId).WaitForInstanceStartAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        route(instanceId).WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs, cancellation);

    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default) =>
        route(instanceId).TerminateInstanceAsync(instanceId, options, cancellation);

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        route(instanceId).SuspendInstanceAsync(instanceId, reason, cancellation);

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        route(instanceId).ResumeInstanceAsync(instanceId, reason, cancellation);

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        route(instanceId).GetInstancesAsync(instanceId, getInputsAndOutputs, cancellation);

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        throw new NotSupportedException("A query across the pipeline's engines is not routed.");

    public override Task<PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        route(instanceId).PurgeInstanceAsync(instanceId, options, cancellation);

    public override Task<PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException("A purge across the pipeline's engines is not routed.");

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
