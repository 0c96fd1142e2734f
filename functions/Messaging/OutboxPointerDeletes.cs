using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Messaging;

/// <summary>
/// The relay's pointer deletes, gathered for <see cref="Window"/> and made as one Table transaction per index bucket (up to
/// 100 pointers each) instead of one request per pointer: every pointer of a 10-second bucket shares its partition. Nothing
/// waits on these deletes but the sweeper, which looks at a pointer only after <c>Outbox:SweepAge</c>; a delete that never
/// happens costs one partition query by the sweeper, which then drops the pointer. A transaction that fails (one pointer
/// deleted by the sweeper meanwhile, or written again) is redone pointer by pointer, each under its own ETag as before.
/// </summary>
public sealed class OutboxPointerDeletes(OutboxIndex index)
{
    /// <summary>How long deletes are gathered; <see cref="FlushAsync"/> cuts it short.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private const int MaxPerTransaction = 100;

    private readonly Lock _gate = new();
    private List<(OutboxPointer Pointer, TaskCompletionSource Done)> _pending = [];
    private (Task Flush, CancellationTokenSource Wait)? _next;

    /// <summary>Queues the delete; the task ends when it was made (or failed: then the sweeper deletes the pointer).</summary>
    public Task RemoveAsync(OutboxPointer entry)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending.Add((entry, done));
            if (_next is null)
            {
                var wait = new CancellationTokenSource();
                _next = (FlushAfterWindowAsync(wait), wait);
            }
        }

        return done.Task;
    }

    /// <summary>Makes the queued deletes now (tests, and shutdown through <see cref="OutboxRelay.DrainAsync"/>).</summary>
    public async Task FlushAsync()
    {
        Task? flush;
        lock (_gate)
        {
            flush = _next?.Flush;
            _next?.Wait.Cancel();
        }

        if (flush is not null)
        {
            await flush;
        }
    }

    private async Task FlushAfterWindowAsync(CancellationTokenSource wait)
    {
        try
        {
            await Task.Delay(Window, wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Flushed early.
        }

        List<(OutboxPointer Pointer, TaskCompletionSource Done)> batch;
        lock (_gate)
        {
            batch = _pending;
            _pending = [];
            _next = null;
        }

        wait.Dispose();
        foreach (var bucket in batch.GroupBy(item => item.Pointer.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in bucket.Chunk(MaxPerTransaction))
            {
                await DeleteAsync(chunk);
            }
        }
    }

    private async Task DeleteAsync((OutboxPointer Pointer, TaskCompletionSource Done)[] chunk)
    {
        try
        {
            if (chunk.Length == 1)
            {
                await index.RemoveAsync(chunk[0].Pointer, CancellationToken.None);
            }
            else
            {
                try
                {
                    await index.Table.SubmitTransactionAsync(
                        chunk.Select(item => new TableTransactionAction(
                            TableTransactionActionType.Delete, item.Pointer, item.Pointer.ETag == default ? Azure.ETag.All : item.Pointer.ETag)),
                        CancellationToken.None);
                }
                catch (TableTransactionFailedException)
                {
                    // One of them is gone or was written again: decide one by one.
                    foreach (var (pointer, _) in chunk)
                    {
                        await index.RemoveAsync(pointer, CancellationToken.None);
                    }
                }
            }

            foreach (var (_, done) in chunk)
            {
                done.TrySetResult();
            }
        }
        catch (Exception ex) when (ex.IsStorageFailure())
        {
            foreach (var (_, done) in chunk)
            {
                done.TrySetException(ex);
            }
        }
    }
}
