using Azure;
using Azure.Data.Tables;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class AzuriteFixtureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task RoundTripsAnEntityThroughATable()
    {
        var table = azurite.CreateTableServiceClient().GetTableClient(azurite.UniqueTableName("fixture"));
        await table.CreateAsync();

        await table.AddEntityAsync(new TableEntity("order-1", "row-1") { ["Status"] = "Accepted", ["Quantity"] = 3 });
        var read = await table.GetEntityAsync<TableEntity>("order-1", "row-1");

        Assert.Equal("Accepted", read.Value.GetString("Status"));
        Assert.Equal(3, read.Value.GetInt32("Quantity"));
    }

    [Fact]
    public async Task RestartComesBackEmptyOnTheSamePorts()
    {
        // Its own server: restarting the shared one would wipe the other tests' tables.
        await using var server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        var noRetries = new TableClientOptions { Retry = { MaxRetries = 0 } };
        var table = new TableServiceClient(server.ConnectionString, noRetries).GetTableClient("restart");
        await table.CreateAsync();

        await server.StopAsync();
        var down = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync<TableEntity>("p", "r"));
        Assert.Equal(0, down.Status); // no HTTP answer: the connection was refused

        // The client built before the stop reaches the restarted server: the ports are the same.
        await server.RestartAsync();
        var lost = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync<TableEntity>("p", "r"));
        Assert.Equal("TableNotFound", lost.ErrorCode); // in-memory data does not survive a restart
        await table.CreateAsync();
        await table.AddEntityAsync(new TableEntity("p", "r"));
    }

    [Fact]
    public async Task ReportsAnExitItDidNotAskForWithAzuritesLastOutput()
    {
        await using var server = await AzuriteServer.StartAsync(azurite.AzuriteDirectory);
        var pid = server.ProcessId ?? throw new InvalidOperationException("Azurite should be running.");

        // A restart stops the process it replaces: that exit was asked for.
        await server.RestartAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.Null(server.UnexpectedExit);

        // Killed from outside, as a crash or the OOM killer would end it.
        var restarted = server.ProcessId ?? throw new InvalidOperationException("Azurite should be running again.");
        Assert.NotEqual(pid, restarted);
        server.KilledOnPurpose = true;
        using (var node = System.Diagnostics.Process.GetProcessById(restarted))
        {
            node.Kill();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (server.UnexpectedExit is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), timeout.Token);
        }

        Assert.Contains($"Azurite (pid {restarted}, table port {server.TablePort}) exited by itself", server.UnexpectedExit, StringComparison.Ordinal);
        Assert.Contains("Azurite Table service is successfully listening", server.UnexpectedExit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("has-dash")]
    [InlineData("abcdefghijklmnopqrstuvwxyzabcdef")]
    public void UniqueTableNameRejectsPrefixesAzureWouldNot(string prefix) =>
        Assert.ThrowsAny<ArgumentException>(() => azurite.UniqueTableName(prefix));

    [Fact]
    public void UniqueTableNameIsAValidAzureTableName()
    {
        var name = azurite.UniqueTableName("abcdefghijklmnopqrstuvwxyzabcde");

        Assert.Matches("^[A-Za-z][A-Za-z0-9]{2,62}$", name);
        Assert.NotEqual(name, azurite.UniqueTableName("abcdefghijklmnopqrstuvwxyzabcde"));
    }
}
