using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Shop.Benchmarks.Pipeline;

/// <summary>
/// Counts every HTTP round trip of a storage client (added per retry, so a retried request counts once per attempt),
/// by "METHOD table-or-container" ("POST $batch", "GET Orders", "PUT sent-emails"), and those answered 4xx/5xx.
/// These are the billable storage transactions.
/// </summary>
public sealed class OperationCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, long> _byKind = new(StringComparer.Ordinal);
    private long _total;
    private long _failed;

    public (long Total, long Failed, Dictionary<string, long> ByKind) Snapshot() =>
        (Interlocked.Read(ref _total), Interlocked.Read(ref _failed), new Dictionary<string, long>(_byKind, StringComparer.Ordinal));

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        ProcessNext(message, pipeline);
        CountFailure(message);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message.Request);
        await ProcessNextAsync(message, pipeline);
        CountFailure(message);
    }

    /// <summary>The first path segment after the account (Azurite puts the account in the path), keys elided.</summary>
    public static string Kind(RequestMethod method, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var target = segments.Length > 1 ? segments[1] : segments.FirstOrDefault() ?? "";
        var keys = target.IndexOf('(', StringComparison.Ordinal);
        return $"{method} {(keys >= 0 ? target[..keys] : target)}";
    }

    private void Count(Request request)
    {
        Interlocked.Increment(ref _total);
        _byKind.AddOrUpdate(Kind(request.Method, request.Uri.Path), 1, (_, count) => count + 1);
    }

    private void CountFailure(HttpMessage message)
    {
        if (!message.HasResponse || message.Response.Status >= 400)
        {
            Interlocked.Increment(ref _failed);
            var status = message.HasResponse ? message.Response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no answer";
            _byKind.AddOrUpdate($"{Kind(message.Request.Method, message.Request.Uri.Path)} -> {status}", 1, (_, count) => count + 1);
        }
    }
}
