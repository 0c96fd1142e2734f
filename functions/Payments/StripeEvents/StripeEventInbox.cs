using Azure;
using Azure.Data.Tables;
using Shop.Functions.Platform;

namespace Shop.Functions.Payments.StripeEvents;

/// <summary>
/// The Stripe events already handed to a saga, one row per event in the <see cref="StorageTables.Inbox"/> table
/// (PartitionKey = Stripe's event id, RowKey = <see cref="RowKey"/>). Stripe delivers at least once: an event with a
/// mark is answered 200 and does nothing more. The mark is written after the saga was told, so a failure between the
/// two makes Stripe deliver again and the saga is told again (it takes the first and ignores the rest).
/// </summary>
public sealed class StripeEventInbox(TableServiceClient tables)
{
    public const string RowKey = "stripe-event";

    private readonly TableClient _table = tables.GetTableClient(StorageTables.Inbox);

    public async Task<bool> SeenAsync(string eventId, CancellationToken cancellationToken) =>
        (await _table.GetEntityIfExistsAsync<TableEntity>(eventId, RowKey, ["OrderId"], cancellationToken)).HasValue;

    public async Task MarkAsync(string eventId, string orderId, string eventType, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(new TableEntity(eventId, RowKey) { ["OrderId"] = orderId, ["EventType"] = eventType }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A parallel delivery of the same event marked it first.
        }
    }
}
