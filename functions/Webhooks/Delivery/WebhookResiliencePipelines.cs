using System.Net.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// One pipeline per destination host (<c>host:port</c>): quick retries around a circuit breaker around a timeout
/// per attempt. The breaker counts attempts, so one host's failures open that host's circuit only. A singleton:
/// circuit state outlives the (transient) typed HttpClient.
/// This is the only resilience layer of webhook sending, instead of <c>AddStandardResilienceHandler</c> on the
/// HttpClient: each attempt's timeout must cover reading the (capped) body, every attempt is recorded for the
/// delivery log, and a refusal by the SSRF guard must be neither retried nor counted by a breaker.
/// </summary>
internal sealed partial class WebhookResiliencePipelines : IDisposable
{
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly IOptions<WebhookOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookResiliencePipelines> _logger;
    private readonly ILoggerFactory _loggerFactory;

    public WebhookResiliencePipelines(IOptions<WebhookOptions> options, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _options = options;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<WebhookResiliencePipelines>();
    }

    /// <summary>The pipelines' name in Polly's telemetry (<c>pipeline.name</c>; <c>pipeline.instance</c> is the host).</summary>
    public const string PipelineName = "webhooks";

    public static string HostKey(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"{url.IdnHost.ToLowerInvariant()}:{url.Port}";
    }

    public ResiliencePipeline<ReceiverResponse> For(Uri url) =>
        _registry.GetOrAddPipeline<ReceiverResponse>(HostKey(url), (builder, context) => Configure(builder, context.PipelineKey));

    public void Dispose() => _registry.Dispose();

    /// <summary>A failure of the destination: worth a retry and counted by its breaker. A refusal by the SSRF guard is neither.</summary>
    private static ValueTask<bool> IsTransientFailure(Outcome<ReceiverResponse> outcome) => ValueTask.FromResult(outcome switch
    {
        { Result: { } response } => response.IsTransientFailure,
        { Exception: HttpRequestException ex } => WebhookDestinationRefusedException.FindIn(ex) is null,
        { Exception: TimeoutRejectedException } => true,
        _ => false,
    });

    private void Configure(ResiliencePipelineBuilder<ReceiverResponse> builder, string host)
    {
        var options = _options.Value;
        builder.TimeProvider = _time;
        builder.Name = PipelineName;
        builder.InstanceName = host;
        builder.ConfigureTelemetry(_loggerFactory);
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<ReceiverResponse>
            {
                ShouldHandle = args => IsTransientFailure(args.Outcome),
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
            });
        }

        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ReceiverResponse>
            {
                ShouldHandle = args => IsTransientFailure(args.Outcome),
                FailureRatio = options.CircuitBreakerFailureRatio,
                MinimumThroughput = options.CircuitBreakerMinimumThroughput,
                SamplingDuration = options.CircuitBreakerSamplingDuration,
                BreakDuration = options.CircuitBreakerBreakDuration,
                OnOpened = args =>
                {
                    LogCircuitOpened(host, args.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogCircuitClosed(host);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.Timeout);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Circuit to webhook host {Host} opened for {BreakDuration}: deliveries to it are deferred")]
    private partial void LogCircuitOpened(string host, TimeSpan breakDuration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuit to webhook host {Host} closed: deliveries resume")]
    private partial void LogCircuitClosed(string host);
}
