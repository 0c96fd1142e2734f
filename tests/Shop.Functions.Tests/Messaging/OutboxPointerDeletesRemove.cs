using Azure.Data.Tables;
using Shop.Functions.Messaging;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Messaging;

/// <summary>
/// Issue 14: the relay's pointer deletes are gathered and made as one transaction per index bucket; a batch that cannot
/// commit (a pointer gone already, or written again) is redone pointer by pointer, each under its own ETag.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutboxPointerDeletesRemove(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Bucket = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly StorageRequestLog _log = new();
    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: _log.Install);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task DeletesThePointersOfOneBucketInOneTransaction()
    {
        var pointers = await PointAsync(5);
        _log.Clear();

        var deletes = pointers.Select(_shop.Get<OutboxPointerDeletes>().RemoveAsync).ToList();
        await _shop.Get<OutboxPointerDeletes>().FlushAsync();
        await Task.WhenAll(deletes);
        var requests = _log.Requests.ToList();

        Assert.Empty(await RemainingAsync(pointers));
        var request = Assert.Single(requests, r => r.Request.Touches(StorageTables.OutboxIndex) || r.Request.IsBatch);
        Assert.True(request.Request.IsBatch, $"one transaction, not {request}");
    }

    [Fact]
    public async Task DeletesTheOthersAndKeepsARewrittenOneGivenTheBatchFails()
    {
        var pointers = await PointAsync(4);
        var index = _shop.Get<OutboxIndex>();
        // One is deleted meanwhile (by the sweeper), one written again (its ETag moved: its new rows keep it).
        await index.Table.DeleteEntityAsync(pointers[0].PartitionKey, pointers[0].RowKey);
        var rewritten = pointers[1];
        await index.Table.UpsertEntityAsync(new TableEntity(rewritten.PartitionKey, rewritten.RowKey) { ["Table"] = "Orders" }, TableUpdateMode.Replace);

        var deletes = pointers.Select(_shop.Get<OutboxPointerDeletes>().RemoveAsync).ToList();
        await _shop.Get<OutboxPointerDeletes>().FlushAsync();
        await Task.WhenAll(deletes);

        Assert.Equal([rewritten.RowKey], await RemainingAsync(pointers));
    }

    [Fact]
    public async Task DeletesWithinTheWindowWithoutAFlush()
    {
        var pointers = await PointAsync(2);

        await Task.WhenAll(pointers.Select(_shop.Get<OutboxPointerDeletes>().RemoveAsync)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(await RemainingAsync(pointers));
    }

    private async Task<List<OutboxPointer>> PointAsync(int count)
    {
        var index = _shop.Get<OutboxIndex>();
        var orderPrefix = Guid.NewGuid().ToString("N");
        var pointers = Enumerable.Range(0, count).Select(i => new OutboxPointer
        {
            PartitionKey = OutboxIndex.BucketOf(Bucket),
            RowKey = $"ord_{orderPrefix}{i}|PlaceOrder:{i}",
            Table = StorageTables.Orders,
            Partition = $"ord_{orderPrefix}{i}",
            Destinations = Queues.PlaceOrder,
            CreatedAt = Bucket,
        }).ToList();
        foreach (var pointer in pointers)
        {
            Assert.True(await index.PointAsync(pointer, CancellationToken.None));
        }

        return pointers;
    }

    private async Task<List<string>> RemainingAsync(IEnumerable<OutboxPointer> pointers)
    {
        var remaining = new List<string>();
        foreach (var pointer in pointers)
        {
            if ((await _shop.Get<OutboxIndex>().Table.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, pointer.RowKey)).HasValue)
            {
                remaining.Add(pointer.RowKey);
            }
        }

        return remaining;
    }
}
