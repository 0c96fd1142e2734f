using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Faults at the transport, BELOW the SDK's retries (a per-retry policy, next to the wire): a request that reaches the
/// server and is carried out, whose response never comes back (<see cref="LoseNextResponse"/>). The SDK sees an
/// <see cref="IOException"/>, as for a dropped connection, and retries on its own, so the app sees what the SDK answers
/// to its own resend (a transaction's EntityAlreadyExists). <see cref="Install"/> builds the app's Table client with the
/// app's own factory and this policy added.
/// </summary>
public sealed class TransportFaults : HttpPipelinePolicy
{
    private Func<HttpMessage, bool>? _loseNext;
    private int _lost;

    /// <summary>How many responses were dropped so far.</summary>
    public int ResponsesLost => Volatile.Read(ref _lost);

    /// <summary>A Table transaction (entity group transaction): a POST to <c>$batch</c>.</summary>
    public static bool IsTransaction(HttpMessage message) =>
        message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);

    public void Install(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton(sp => AzureClients.CreateTableServiceClient(
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<AzureComponentFactory>(),
            options => options.AddPolicy(this, HttpPipelinePosition.PerRetry))));

    /// <summary>The next request that matches is sent and carried out, then its response is dropped; once.</summary>
    public void LoseNextResponse(Func<HttpMessage, bool> match) => Volatile.Write(ref _loseNext, match);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var lose = Arm(message);
        ProcessNext(message, pipeline);
        ThrowIfLost(message, lose);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var lose = Arm(message);
        await ProcessNextAsync(message, pipeline);
        ThrowIfLost(message, lose);
    }

    private bool Arm(HttpMessage message)
    {
        var match = Volatile.Read(ref _loseNext);
        return match is not null && match(message) && Interlocked.CompareExchange(ref _loseNext, null, match) == match;
    }

    private void ThrowIfLost(HttpMessage message, bool lose)
    {
        if (!lose)
        {
            return;
        }

        Interlocked.Increment(ref _lost);
        message.Response.Dispose();
        throw new IOException($"Test transport: the response to {message.Request.Method} {message.Request.Uri.Path} was lost after the server handled it.");
    }
}
