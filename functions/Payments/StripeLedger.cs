using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Payments;

/// <summary>
/// What the Stripe gateway keeps of an order, one row per order in <see cref="StorageTables.PaymentsStripe"/>: the
/// PaymentIntent Stripe created for it (so a charge or query after Stripe's 24-hour idempotency window finds it by id
/// rather than creating or searching), and whether a refund closed the order (a later charge then captures nothing).
/// Stripe holds the money; this row only points at it.
/// </summary>
internal sealed class StripeLedger(TableServiceClient tables)
{
    public const string RowKey = "stripe";
    private const string PaymentIntentId = nameof(PaymentIntentId);
    private const string Closed = nameof(Closed);

    private readonly TableClient _table = tables.GetTableClient(StorageTables.PaymentsStripe);

    public async Task<(string? PaymentIntentId, bool Closed)> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(orderId, RowKey, [PaymentIntentId, Closed], cancellationToken);
        return response.HasValue
            ? (response.Value!.GetString(PaymentIntentId), response.Value.GetBoolean(Closed) == true)
            : (null, false);
    }

    /// <summary>Notes the order's PaymentIntent (a merge: a close written meanwhile stays).</summary>
    public Task RememberAsync(string orderId, string paymentIntentId, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(new TableEntity(orderId, RowKey) { [PaymentIntentId] = paymentIntentId }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Closes the order before the refund looks for its charge: a charge landing afterwards sees it and gives the money back.</summary>
    public Task CloseAsync(string orderId, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(new TableEntity(orderId, RowKey) { [Closed] = true }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>A storage failure a later call may not meet (as the sandbox classifies them).</summary>
    public static bool IsTransientFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is RequestFailedException && SandboxLedger.IsTransientFailure(exception, cancellationToken);
}
