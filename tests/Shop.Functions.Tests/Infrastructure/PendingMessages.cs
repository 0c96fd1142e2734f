using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// What is still to be sent, read straight from storage: outbox rows stored in their partitions, and messages the outbox
/// index carries (the submit's PlaceOrder after a failed send, <see cref="OutboxPointer.Carrying"/>).
/// </summary>
public static class PendingMessages
{
    /// <summary>The order's pending messages: its partition's outbox rows, then those the index carries for it.</summary>
    public static async Task<List<OutboxRow>> ForOrderAsync(TableServiceClient tables, string orderId)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orderId} and RowKey ge {OutboxRow.RowKeyPrefix} and RowKey lt {OutboxRow.RowKeyEnd}");
        var stored = await tables.GetTableClient(StorageTables.Orders).QueryAsync<OutboxRow>(filter).ToListAsync();
        var carried = await CarriedAsync(tables);
        return [.. stored, .. carried.Where(pointer => pointer.Partition == orderId).Select(pointer => pointer.CarriedRow())];
    }

    /// <summary>Every pointer in the outbox index that carries its message.</summary>
    public static async Task<List<OutboxPointer>> CarriedAsync(TableServiceClient tables)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {OutboxIndex.BucketPrefix} and PartitionKey lt {OutboxIndex.BucketPrefix + "~"}");
        var pointers = await tables.GetTableClient(StorageTables.OutboxIndex).QueryAsync<OutboxPointer>(filter).ToListAsync();
        return pointers.Where(pointer => pointer.Carries).ToList();
    }
}
