using Microsoft.DurableTask.Client;
using Shop.Functions.Orders;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform.Retention;

/// <summary>
/// Issue 14: the purge removes finished instances (Completed, Failed, Terminated) created before the cut-off, with their
/// history, on the Durable test engine; recent finished ones and running ones stay, whatever their age.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class RetentionJanitorPurgeInstances(AzuriteFixture azurite) : IAsyncLifetime
{
    private RetentionHarness _retention = null!;

    public async Task InitializeAsync() => _retention = await RetentionHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _retention.DisposeAsync();

    [Fact]
    public async Task PurgesFinishedInstancesCreatedBeforeTheCutoffAndKeepsRecentAndRunningOnes()
    {
        var running = await _retention.StartOrderAsync();
        await _retention.WaitForStatusAsync(running, OrderStatuses.AwaitingShipment);
        var old = await _retention.FinishedOrderAsync();
        await Task.Delay(50);
        var cutoff = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var recent = await _retention.FinishedOrderAsync();

        var purged = await _retention.Janitor.PurgeInstancesAsync(_retention.Client, cutoff, CancellationToken.None);

        Assert.Equal(1, purged);
        Assert.Null(await _retention.Client.GetInstanceAsync(old));
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _retention.Client.GetInstanceAsync(recent))!.RuntimeStatus);
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await _retention.Client.GetInstanceAsync(running))!.RuntimeStatus);
        Assert.Equal(OrderStatuses.Failed, (await _retention.OrderAsync(old)).Status);
    }

    [Fact]
    public async Task PurgesTerminatedInstancesButNeverARunningOne()
    {
        var running = await _retention.StartOrderAsync();
        var terminated = await _retention.StartOrderAsync();
        await _retention.WaitForStatusAsync(running, OrderStatuses.AwaitingShipment);
        await _retention.WaitForStatusAsync(terminated, OrderStatuses.AwaitingShipment);
        await _retention.Client.TerminateInstanceAsync(terminated);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _retention.Client.WaitForInstanceCompletionAsync(terminated, timeout.Token);

        var purged = await _retention.Janitor.PurgeInstancesAsync(_retention.Client, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        Assert.Equal(1, purged);
        Assert.Null(await _retention.Client.GetInstanceAsync(terminated));
        Assert.Equal(OrchestrationRuntimeStatus.Running, (await _retention.Client.GetInstanceAsync(running))!.RuntimeStatus);
    }
}
