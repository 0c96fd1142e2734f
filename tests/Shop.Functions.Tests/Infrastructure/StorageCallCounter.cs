using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Counts the requests the app's Table client sends (per attempt: round trips on the wire). <see cref="Install"/> builds
/// the app's client as production does, with this policy added.
/// </summary>
public sealed class StorageCallCounter : HttpPipelinePolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Install(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<AzureComponentFactory>(),
            options => options.AddPolicy(this, HttpPipelinePosition.PerRetry))));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Interlocked.Increment(ref _count);
        return ProcessNextAsync(message, pipeline);
    }
}

