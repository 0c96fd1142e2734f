using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Counts and keeps every request the app's Table client sends, per attempt (round trips on the wire), with its query
/// filter decoded; <see cref="Install"/> adds it to the app's own client (composes with other <see cref="StorageClients"/> changes).
/// </summary>
public sealed class StorageRequestLog : HttpPipelinePolicy
{
    private readonly ConcurrentQueue<LoggedRequest> _requests = new();

    public IReadOnlyCollection<LoggedRequest> Requests => _requests;

    public int Count => _requests.Count;

    public void Install(IServiceCollection services) =>
        services.ConfigureStorageClients(options =>
        {
            if (options is Azure.Data.Tables.TableClientOptions)
            {
                options.AddPolicy(this, HttpPipelinePosition.PerRetry);
            }
        });

    public void Clear() => _requests.Clear();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Log(message.Request);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Log(message.Request);
        return ProcessNextAsync(message, pipeline);
    }

    private void Log(Request request) =>
        _requests.Enqueue(new LoggedRequest(StorageRequest.From(StorageRequest.Table, request), Uri.UnescapeDataString(request.Uri.Query)));
}

/// <summary>One round trip: what it addressed, and its query string decoded (a query's <c>$filter</c>).</summary>
public sealed record LoggedRequest(StorageRequest Request, string Query)
{
    /// <summary>A request to the table that names no partition: a point operation has it in the path, a query in its filter.</summary>
    public bool ScansAcrossPartitions(string table) =>
        Request.Touches(table) && !Request.IsBatch && !Request.Path.Contains("PartitionKey=", StringComparison.Ordinal)
        && !Query.Contains("PartitionKey eq", StringComparison.Ordinal);

    public override string ToString() => $"{Request.Method} {Request.Path}{Query}";
}
