using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Shop.Functions.Fulfillment;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>One extra run of an activity: which, for which input, immediate or stale, and how it ended.</summary>
public sealed record DuplicateRun(string Activity, string OrderId, bool Stale, Exception? Error);

/// <summary>
/// At-least-once activities, as the Azure Storage backend can run them: each chosen activity runs a second time at once
/// (concurrently with the first; the saga gets the first's outcome), and a third time as a stale duplicate
/// <see cref="StaleAfter"/> later, after the saga has moved on. Nothing is hidden: every extra run is recorded with its
/// outcome, and <see cref="DrainAsync"/> waits for the stale ones, which the harnesses do before the conservation check.
/// </summary>
public sealed class ActivityDuplicates
{
    private readonly ConcurrentQueue<DuplicateRun> _runs = new();
    private readonly ConcurrentQueue<Task> _stale = new();
    private readonly HashSet<string>? _only;

    /// <param name="activities">The activities to duplicate; null for every one.</param>
    public ActivityDuplicates(IEnumerable<string>? activities = null) =>
        _only = activities?.ToHashSet(StringComparer.Ordinal);

    public bool Immediate { get; init; } = true;

    /// <summary>When the stale duplicate runs after the first run ended; null for none.</summary>
    public TimeSpan? StaleAfter { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<DuplicateRun> Runs => [.. _runs];

    public bool Applies(string activity) => _only is null || _only.Contains(activity);

    /// <summary>Waits until every stale duplicate started so far has run (and those they started, none).</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (_stale.TryDequeue(out var run))
        {
            await run.WaitAsync(cancel.Token);
        }
    }

    internal async Task<T> RunAsync<T>(string activity, string orderId, Func<Task<T>> call)
    {
        if (!Applies(activity))
        {
            return await Scoped(activity, call);
        }

        var first = Scoped(activity, call);
        var second = Immediate ? Extra(activity, orderId, stale: false, call) : Task.CompletedTask;
        try
        {
            return await first;
        }
        finally
        {
            await second;
            if (StaleAfter is { } after)
            {
                _stale.Enqueue(Task.Run(async () =>
                {
                    await Task.Delay(after);
                    await Extra(activity, orderId, stale: true, call);
                }));
            }
        }
    }

    internal static async Task<T> Scoped<T>(string activity, Func<Task<T>> call)
    {
        using var scope = ActivityScope.Enter(activity);
        return await call();
    }

    private async Task Extra<T>(string activity, string orderId, bool stale, Func<Task<T>> call)
    {
        try
        {
            await Scoped(activity, call);
            _runs.Enqueue(new DuplicateRun(activity, orderId, stale, null));
        }
        catch (Exception ex)
        {
            // The duplicate's failure is its own (a real worker's retry would follow); it is recorded, not hidden.
            _runs.Enqueue(new DuplicateRun(activity, orderId, stale, ex));
        }
    }
}
