using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Reliability.Faults;

/// <summary>
/// An Azure.Core pipeline policy that runs <see cref="Chaos"/> around each storage call, above the SDK's own retries
/// (per call), so the app sees what is left when those are not enough: a 503 before the request is sent, or a request
/// carried out whose response is lost, plus added latency. <see cref="Install"/> builds the app's Table and Blob clients
/// with the app's own factory and this policy added.
/// </summary>
public sealed class FaultyStorage(Chaos chaos) : HttpPipelinePolicy
{
    public void Install(IServiceCollection services) =>
        services.ConfigureStorageClients(options => options.AddPolicy(this, HttpPipelinePosition.PerCall));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        chaos.StorageBefore.Execute(() => ProcessNext(message, pipeline));
        chaos.StorageAfter.Execute(static () => { });
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await chaos.StorageBefore.ExecuteAsync(_ => ProcessNextAsync(message, pipeline), message.CancellationToken);
        await chaos.StorageAfter.ExecuteAsync(static _ => ValueTask.CompletedTask, message.CancellationToken);
    }
}
