using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Shop.Functions.Platform;

namespace Shop.Functions.Catalog;

/// <summary>Where an answer's snapshot came from.</summary>
public enum CatalogSource
{
    /// <summary>The cached snapshot was fresh: storage was not asked.</summary>
    Hit,

    /// <summary>Storage was read for this answer (nothing was cached, or it had expired).</summary>
    Refreshed,

    /// <summary>Storage failed or its circuit is open: the last good snapshot, older than the TTL.</summary>
    Stale,
}

/// <summary>A snapshot and what a client should be told about its age.</summary>
public sealed record CatalogRead(CatalogSnapshot Snapshot, CatalogSource Source, TimeSpan Ttl, TimeSpan Age)
{
    /// <summary>Remaining freshness; negative when stale (RFC 9211's <c>ttl</c>).</summary>
    public TimeSpan FreshFor => Ttl - Age;
}

/// <summary>Storage failed and no catalog was ever read: there is nothing to answer with.</summary>
public sealed class CatalogUnavailableException : Exception
{
    public CatalogUnavailableException()
    {
    }

    public CatalogUnavailableException(string message)
        : base(message)
    {
    }

    public CatalogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// An in-memory cache of the whole catalog (one <see cref="CatalogSnapshot"/>) in front of storage. A snapshot younger
/// than <see cref="CatalogOptions.CacheTtl"/> is served without a storage call. An older one is refreshed, once for all
/// the requests that need it at that moment, through <see cref="CatalogResilience"/> (a timeout and a circuit breaker).
/// When the refresh fails the last good snapshot is kept and served as stale, for as long as storage stays down;
/// only when no snapshot was ever read does a read fail (<see cref="CatalogUnavailableException"/>).
/// </summary>
public sealed partial class CatalogCache(
    CatalogStorage storage,
    [FromKeyedServices(CatalogResilience.Key)] ResiliencePipeline pipeline,
    IOptions<CatalogOptions> options,
    TimeProvider time,
    ILogger<CatalogCache> logger)
{
    private readonly TimeSpan _ttl = options.Value.CacheTtl;
    private readonly Lock _gate = new();
    private CatalogSnapshot? _last;
    private Task<CatalogSnapshot?>? _refresh;

    public async Task<CatalogRead> ReadAsync(CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && Age(last) < _ttl)
        {
            return new CatalogRead(last, CatalogSource.Hit, _ttl, Age(last));
        }

        // The refresh is shared and not cancelled by one caller giving up; the pipeline's timeout bounds it.
        var refreshed = await RefreshAsync().WaitAsync(cancellationToken);
        if (refreshed is not null)
        {
            return new CatalogRead(refreshed, CatalogSource.Refreshed, _ttl, Age(refreshed));
        }

        last = Volatile.Read(ref _last);
        return last is not null
            ? new CatalogRead(last, CatalogSource.Stale, _ttl, Age(last))
            : throw new CatalogUnavailableException("The catalog could not be read from storage, and no earlier read is cached.");
    }

    private TimeSpan Age(CatalogSnapshot snapshot) => time.GetUtcNow() - snapshot.LoadedAt;

    private Task<CatalogSnapshot?> RefreshAsync()
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            return _refresh = LoadAsync();
        }
    }

    /// <summary>The new snapshot, or null when storage failed (logged).</summary>
    private async Task<CatalogSnapshot?> LoadAsync()
    {
        try
        {
            var snapshot = await pipeline.ExecuteAsync(
                static async (store, ct) => await store.LoadAsync(ct),
                storage,
                CancellationToken.None);
            Volatile.Write(ref _last, snapshot);
            return snapshot;
        }
        catch (BrokenCircuitException)
        {
            LogCircuitOpen();
            return null;
        }
        catch (Exception ex) when (ex is TimeoutRejectedException || ex.IsStorageFailure())
        {
            LogRefreshFailed(ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the catalog from storage failed; serving the last good catalog if there is one")]
    private partial void LogRefreshFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The circuit to catalog storage is open; serving the last good catalog if there is one")]
    private partial void LogCircuitOpen();
}
