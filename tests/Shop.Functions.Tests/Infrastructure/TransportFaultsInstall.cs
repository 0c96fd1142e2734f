using Azure;
using Azure.Data.Tables;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>TransportFaults in the app's own Table client: below the SDK's retries, picked by table, method and $batch.</summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class TransportFaultsInstall(AzuriteFixture azurite)
{
    [Fact]
    public async Task LostResponseIsResentByTheSdkAfterTheWriteWasCommitted()
    {
        var faults = new TransportFaults();
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: faults.Install);
        var table = await TableAsync(shop, "lost");
        faults.LoseResponses(StorageRequest.WritesTo(table.Name), times: 1);

        // The insert ran; its answer was lost; the SDK sent it again and storage refused the second one.
        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));

        Assert.Equal(409, thrown.Status);
        Assert.True((await table.GetEntityIfExistsAsync<TableEntity>("p", "r")).HasValue);
        Assert.Equal(1, faults.Injected(TransportFault.LoseResponse));
    }

    [Fact]
    public async Task OutageLastsThroughTheSdkRetriesThenEnds()
    {
        var faults = new TransportFaults();
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: faults.Install);
        var table = await TableAsync(shop, "outage");
        var outage = faults.FailFor(StorageRequest.OnTable(table.Name), TimeSpan.FromSeconds(3));

        var thrown = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal((503, "ServerBusy"), (thrown.Status, thrown.ErrorCode));
        // The app's clients retry 3 times: all four attempts met the outage, and nothing was written.
        Assert.Equal(4, outage.Injected);
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await table.AddEntityAsync(new TableEntity("p", "r"));

        Assert.Equal(4, outage.Injected);
    }

    [Fact]
    public async Task PicksBatchesByTheTablesTheirOperationsName()
    {
        var faults = new TransportFaults();
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: faults.Install);
        var table = await TableAsync(shop, "batch");
        var other = await TableAsync(shop, "other");
        var rule = faults.Fail(StorageRequest.BatchOn(table.Name), TransportFault.Refuse);

        await other.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r"))]);
        await table.AddEntityAsync(new TableEntity("p", "single"));
        var thrown = await Assert.ThrowsAsync<AggregateException>(() =>
            table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r"))]));

        Assert.All(thrown.InnerExceptions, e => Assert.Equal(0, Assert.IsType<RequestFailedException>(e).Status));
        Assert.All(rule.Hits, hit => Assert.True(hit.IsBatch && hit.Touches(table.Name)));
        Assert.Equal(4, rule.Injected);
        rule.Stop();
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "r"))]);
    }

    [Fact]
    public async Task CarriesTheActivityRunningTheRequest()
    {
        var faults = new TransportFaults();
        await using var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, configure: faults.Install);
        var table = await TableAsync(shop, "activity");
        var rule = faults.LoseResponses(StorageRequest.During("ChargePayment", StorageRequest.WritesTo(table.Name)), times: 10);

        await table.AddEntityAsync(new TableEntity("p", "outside"));
        using (ActivityScope.Enter("ChargePayment"))
        {
            // Every attempt lost its answer: the SDK gives up after its retries.
            await Assert.ThrowsAsync<AggregateException>(() => table.AddEntityAsync(new TableEntity("p", "inside")));
        }

        Assert.All(rule.Hits, hit => Assert.Equal("ChargePayment", hit.Activity));
        Assert.Equal(4, rule.Injected);
    }

    private async Task<TableClient> TableAsync(ShopTestServices shop, string prefix)
    {
        var table = shop.Tables.GetTableClient(azurite.UniqueTableName(prefix));
        await table.CreateIfNotExistsAsync();
        return table;
    }
}
