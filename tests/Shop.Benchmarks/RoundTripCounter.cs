using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Shop.Benchmarks;

/// <summary>What the counting policy saw between two snapshots.</summary>
public sealed record RoundTrips(long Transactions, long Deletes, long Other, long Failed, IReadOnlyDictionary<string, long> OtherByKind)
{
    public static RoundTrips Zero { get; } = new(0, 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal));

    public long Total => Transactions + Deletes + Other;

    public RoundTrips Plus(RoundTrips other) => new(
        Transactions + other.Transactions,
        Deletes + other.Deletes,
        Other + other.Other,
        Failed + other.Failed,
        OtherByKind.Concat(other.OtherByKind)
            .GroupBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(pair => pair.Value), StringComparer.Ordinal));

    public RoundTrips Minus(RoundTrips earlier) => new(
        Transactions - earlier.Transactions,
        Deletes - earlier.Deletes,
        Other - earlier.Other,
        Failed - earlier.Failed,
        OtherByKind
            .Select(pair => (pair.Key, Count: pair.Value - earlier.OtherByKind.GetValueOrDefault(pair.Key)))
            .Where(pair => pair.Count != 0)
            .ToDictionary(pair => pair.Key, pair => pair.Count, StringComparer.Ordinal));
}

/// <summary>
/// Counts every HTTP request the Table client sends. Added at <see cref="HttpPipelinePosition.PerRetry"/>, so a
/// retried request counts once per attempt: these are round trips on the wire, not SDK calls.
/// </summary>
public sealed class RoundTripCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> _otherByKind = new(StringComparer.Ordinal);
    private long _transactions;
    private long _deletes;
    private long _other;
    private long _failed;
    private long _inFlight;

    /// <summary>Requests sent and not answered yet.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Requests of one <see cref="Kind"/> sent so far (not transactions nor deletes).</summary>
    public long Sent(string kind) => _otherByKind.GetValueOrDefault(kind);

    /// <summary>
    /// Waits until at least <paramref name="atLeast"/> requests of <paramref name="kind"/> were sent and none of any kind is
    /// in flight (a benchmark's untimed pause, so that the next call meets storage idle); fails after 10 s.
    /// </summary>
    public async Task WaitUntilIdleAsync(string kind, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Sent(kind) < atLeast || InFlight > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"Storage was not idle after {atLeast} requests '{kind}' within 10 s.");
            }

            await Task.Delay(1);
        }
    }

    public RoundTrips Snapshot() => new(
        Interlocked.Read(ref _transactions),
        Interlocked.Read(ref _deletes),
        Interlocked.Read(ref _other),
        Interlocked.Read(ref _failed),
        new Dictionary<string, long>(_otherByKind, StringComparer.Ordinal));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            CountFailure(message);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        try
        {
            await ProcessNextAsync(message, pipeline);
        }
        finally
        {
            CountFailure(message);
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>"POST Tables", "GET Orders(…)": the method and the last path segment with its keys elided.</summary>
    public static string Kind(RequestMethod method, string path)
    {
        var segment = path.TrimEnd('/');
        segment = segment[(segment.LastIndexOf('/') + 1)..];
        var keys = segment.IndexOf('(', StringComparison.Ordinal);
        if (keys >= 0)
        {
            segment = segment[..keys] + "(…)";
        }

        return $"{method} {segment}";
    }

    private void Count(Request request)
    {
        Interlocked.Increment(ref _inFlight);
        var path = request.Uri.Path;
        if (request.Method == RequestMethod.Post && path.EndsWith("$batch", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _transactions);
        }
        else if (request.Method == RequestMethod.Delete)
        {
            Interlocked.Increment(ref _deletes);
        }
        else
        {
            Interlocked.Increment(ref _other);
            _otherByKind.AddOrUpdate(Kind(request.Method, path), 1, (_, count) => count + 1);
        }
    }

    private void CountFailure(HttpMessage message)
    {
        if (!message.HasResponse || message.Response.Status >= 400)
        {
            Interlocked.Increment(ref _failed);
        }
    }
}
