using Azure.Data.Tables;

namespace Shop.Functions.Platform;

/// <summary>
/// The two halves of a read-decide-write loop on one partition whose transaction is guarded by ETags (stock,
/// sales): submit, and on a conflict back off before reading again.
/// </summary>
public static class OptimisticConcurrency
{
    private const int BackOffStepMilliseconds = 5;
    private const int MaxBackOffMilliseconds = 200;

    /// <summary>
    /// True when the transaction committed; false when a row changed (412) or appeared (409) since it was read, and
    /// the caller should read again.
    /// </summary>
    public static async Task<bool> TrySubmitAsync(
        TableClient table,
        IReadOnlyList<TableTransactionAction> actions,
        Action<string?> onConflict,
        CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            onConflict(ex.ErrorCode);
            return false;
        }
    }

    /// <summary>Full jitter under a growing cap: writers that collided spread out instead of colliding again in step.</summary>
    public static Task BackOffAsync(int attempt, TimeProvider time, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(MaxBackOffMilliseconds, BackOffStepMilliseconds << Math.Min(attempt, 8));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, ceiling + 1)), time, cancellationToken);
    }
}
