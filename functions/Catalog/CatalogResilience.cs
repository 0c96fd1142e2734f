using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;

namespace Shop.Functions.Catalog;

/// <summary>
/// The pipeline around a catalog refresh from storage: a circuit breaker, then a timeout. The Table client already
/// retries quickly (<see cref="Platform.AzureClients"/>), so there is no Polly retry on top. Once storage has failed
/// repeatedly the circuit opens and reads get the last good catalog at once instead of waiting for the timeout.
/// </summary>
public static class CatalogResilience
{
    /// <summary>The DI key of the pipeline (<see cref="CatalogCache"/> takes it as a keyed service).</summary>
    public const string Key = "catalog-storage";

    /// <param name="options">The catalog's options (the timeout).</param>
    /// <param name="time">The clock of the breaker and the timeout.</param>
    /// <param name="inner">Strategies to add innermost, next to the storage call (tests add Polly chaos here).</param>
    /// <param name="loggerFactory">Where Polly's telemetry goes (its logs; its metrics on the <c>Polly</c> meter); none without.</param>
    public static ResiliencePipeline Build(CatalogOptions options, TimeProvider time, Action<ResiliencePipelineBuilder>? inner = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time, Name = Key };
        if (loggerFactory is not null)
        {
            builder.ConfigureTelemetry(loggerFactory);
        }

        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(10),
            })
            .AddTimeout(options.StorageTimeout);
        inner?.Invoke(builder);
        return builder.Build();
    }
}
