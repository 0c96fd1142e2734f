using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>How a matching request fails at the transport.</summary>
public enum TransportFault
{
    /// <summary>The request reaches storage and is carried out; its response is lost (connection reset). The SDK's retry sends it again.</summary>
    LoseResponse,

    /// <summary>Storage answers 503 ServerBusy; nothing is carried out.</summary>
    ServerBusy,

    /// <summary>The connection is refused; nothing is sent.</summary>
    Refuse,

    /// <summary>The request is carried out, late (a slow network): not a failure, it holds a step open for a test.</summary>
    Delay,
}

/// <summary>
/// Faults BELOW the Azure SDK's own retries: an <see cref="HttpPipelineTransport"/> in the app's Table and Blob clients
/// (<see cref="Install"/>), so a lost response is retried by the SDK itself (a committed write sent again), and an outage
/// lasts through the SDK's retries and then the caller's. Rules pick requests by predicate (<see cref="StorageRequest"/>:
/// table, method, <c>$batch</c>, the saga activity) and fail a number of them, a share of them, or all of them for a time.
/// </summary>
public sealed class TransportFaults
{
    private readonly ConcurrentQueue<TransportFaultRule> _rules = new();
    private readonly Lock _random = new();
    private readonly Random _dice;
    private long _requests;
    private bool _enabled = true;

    public TransportFaults(int seed = 4711) => _dice = new Random(seed);

    /// <summary>Read at each request: off, no rule fires.</summary>
    public bool Enabled
    {
        get => EnabledWhen?.Invoke() ?? _enabled;
        set => _enabled = value;
    }

    /// <summary>When set, decides <see cref="Enabled"/> at each request (e.g. a run's chaos switch).</summary>
    public Func<bool>? EnabledWhen { get; init; }

    public long Requests => Interlocked.Read(ref _requests);

    public IReadOnlyList<TransportFaultRule> Rules => [.. _rules];

    public long Injected(TransportFault fault) => _rules.Where(r => r.Fault == fault).Sum(r => r.Injected);

    /// <summary>Loses the response of the next <paramref name="times"/> matching requests (after they were carried out).</summary>
    public TransportFaultRule LoseResponses(Func<StorageRequest, bool> match, int times = 1) =>
        Add(new TransportFaultRule(nameof(LoseResponses), match, TransportFault.LoseResponse) { Remaining = times });

    /// <summary>Loses the response of about <paramref name="rate"/> of matching requests, while <see cref="Enabled"/>.</summary>
    public TransportFaultRule LoseResponsesAtRate(Func<StorageRequest, bool> match, double rate) =>
        Add(new TransportFaultRule(nameof(LoseResponsesAtRate), match, TransportFault.LoseResponse) { Rate = rate });

    /// <summary>
    /// Fails every matching request for <paramref name="duration"/> from the first match (an outage of that part of storage,
    /// longer than the retries when the duration is): 503 ServerBusy, or a refused connection.
    /// </summary>
    public TransportFaultRule FailFor(Func<StorageRequest, bool> match, TimeSpan duration, TransportFault fault = TransportFault.ServerBusy) =>
        Add(new TransportFaultRule(nameof(FailFor), match, fault) { Duration = duration });

    /// <summary>Slows every matching request by <paramref name="latency"/> (it still succeeds), until the rule is stopped.</summary>
    public TransportFaultRule Slow(Func<StorageRequest, bool> match, TimeSpan latency) =>
        Add(new TransportFaultRule(nameof(Slow), match, TransportFault.Delay) { Latency = latency });

    /// <summary>Holds every matching request until <paramref name="release"/> completes; then it is carried out (a stalled write).</summary>
    public TransportFaultRule Hold(Func<StorageRequest, bool> match, Task release) =>
        Add(new TransportFaultRule(nameof(Hold), match, TransportFault.Delay) { Release = release });

    /// <summary>Fails every matching request until the rule is stopped.</summary>
    public TransportFaultRule Fail(Func<StorageRequest, bool> match, TransportFault fault = TransportFault.ServerBusy) =>
        Add(new TransportFaultRule(nameof(Fail), match, fault));

    public void Clear()
    {
        foreach (var rule in _rules)
        {
            rule.Stop();
        }
    }

    /// <summary>Puts this transport into the app's Table and Blob clients (composes with other <see cref="StorageClients"/> changes).</summary>
    public void Install(IServiceCollection services) =>
        services.ConfigureStorageClients(options => options.Transport = new Transport(this, options is TableClientOptions ? StorageRequest.Table : StorageRequest.Blob));

    private TransportFaultRule Add(TransportFaultRule rule)
    {
        _rules.Enqueue(rule);
        return rule;
    }

    private TransportFaultRule? Pick(StorageRequest request)
    {
        Interlocked.Increment(ref _requests);
        if (!Enabled)
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        TransportFaultRule? slow = null;
        foreach (var rule in _rules)
        {
            if (rule.Fires(request, now, Roll))
            {
                if (rule.Fault != TransportFault.Delay)
                {
                    return rule;
                }

                slow ??= rule;
            }
        }

        return slow;
    }

    private double Roll()
    {
        lock (_random)
        {
            return _dice.NextDouble();
        }
    }

    private sealed class Transport(TransportFaults faults, string service) : HttpPipelineTransport
    {
        private static readonly HttpClientTransport Inner = new();

        public override Request CreateRequest() => Inner.CreateRequest();

        public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message)
        {
            var rule = faults.Pick(StorageRequest.From(service, message.Request));
            switch (rule?.Fault)
            {
                case TransportFault.Refuse:
                    throw new RequestFailedException(0, $"TransportFaults ({rule.Name}): connection refused.", new IOException("Connection refused"));
                case TransportFault.ServerBusy:
                    message.Response = new FaultResponse(message.Request.ClientRequestId, 503, "ServerBusy", "TransportFaults: the server is busy.");
                    return;
                case TransportFault.Delay:
                    await (rule.Release ?? Task.Delay(rule.Latency)).WaitAsync(message.CancellationToken);
                    await Inner.ProcessAsync(message);
                    return;
                case TransportFault.LoseResponse:
                    await Inner.ProcessAsync(message);
                    message.Response.Dispose();
                    throw new RequestFailedException(0, $"TransportFaults ({rule.Name}): the connection was reset after the request was sent; the response is lost.", new IOException("Connection reset by peer"));
                default:
                    await Inner.ProcessAsync(message);
                    return;
            }
        }
    }
}

/// <summary>One rule of <see cref="TransportFaults"/>, with how often it fired.</summary>
public sealed class TransportFaultRule(string name, Func<StorageRequest, bool> match, TransportFault fault)
{
    private readonly Lock _lock = new();
    private long _injected;
    private bool _stopped;
    private DateTimeOffset? _until;

    public string Name { get; } = name;

    public TransportFault Fault { get; } = fault;

    public long Injected => Interlocked.Read(ref _injected);

    /// <summary>Requests that matched while the rule fired, for a test to look at (method, path, tables, activity).</summary>
    public ConcurrentQueue<StorageRequest> Hits { get; } = new();

    internal int? Remaining { get; set; }

    internal double? Rate { get; init; }

    internal TimeSpan? Duration { get; init; }

    internal TimeSpan Latency { get; init; }

    internal Task? Release { get; init; }

    /// <summary>When an outage rule started (its first match), if it has.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }

    internal bool Fires(StorageRequest request, DateTimeOffset now, Func<double> roll)
    {
        if (!match(request))
        {
            return false;
        }

        lock (_lock)
        {
            if (_stopped || Remaining <= 0 || (_until is { } until && now >= until) || (Rate is { } rate && roll() >= rate))
            {
                return false;
            }

            if (Duration is { } duration && StartedAt is null)
            {
                StartedAt = now;
                _until = now + duration;
            }

            Remaining--;
        }

        Interlocked.Increment(ref _injected);
        Hits.Enqueue(request);
        return true;
    }
}
