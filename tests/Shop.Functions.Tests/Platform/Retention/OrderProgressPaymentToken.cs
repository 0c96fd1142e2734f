using Shop.Functions.Fulfillment;
using Azure.Data.Tables;
using Shop.Functions.Orders;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform.Retention;

/// <summary>
/// Issue 14: the payment token leaves the order row with the order's terminal write (a declined charge ends the order
/// Failed; a captured one ends it Completed), and not before: an open order keeps it, also while its charge is retried.
/// </summary>
[Collection(CatalogAndPaymentsStorage.Name)]
public sealed class OrderProgressPaymentToken(AzuriteFixture azurite) : IAsyncLifetime
{
    private RetentionHarness _retention = null!;

    public async Task InitializeAsync() => _retention = await RetentionHarness.StartAsync(azurite);

    public async Task DisposeAsync() => await _retention.DisposeAsync();

    [Fact]
    public async Task RemovesTheTokenGivenADeclinedCharge()
    {
        var orderId = await _retention.FinishedOrderAsync();

        var order = await _retention.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.Failed, order.Status);
        Assert.Equal(string.Empty, order.PaymentToken);
    }

    [Fact]
    public async Task KeepsTheTokenWhileTheOrderIsOpenAndRemovesItOnceCompleted()
    {
        var orderId = await _retention.StartOrderAsync();
        var open = await _retention.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        Assert.NotNull(open.ChargeId);
        Assert.Equal("tok_visa_secret_123", open.PaymentToken);

        await _retention.Client.RaiseEventAsync(orderId, FulfillmentEvents.ShipmentDispatched, new ShipmentDispatchedData("TRACK-1"));
        var completed = await _retention.WaitForStatusAsync(orderId, OrderStatuses.Completed);

        Assert.Equal(string.Empty, completed.PaymentToken);
        Assert.Equal(open.ChargeId, completed.ChargeId);
    }

    [Fact]
    public async Task KeepsTheTokenWhileTheChargeIsRetried()
    {
        // The sandbox refuses a tok_flaky order's first two calls: the charge activity runs three times with the token.
        var orderId = await _retention.StartOrderAsync("tok_flaky_retention");

        var open = await _retention.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        Assert.NotNull(open.ChargeId);
        Assert.Equal("tok_flaky_retention", open.PaymentToken);
    }

    [Fact]
    public async Task RefusesToChargeAnOrderThatEnded()
    {
        var orderId = await _retention.FinishedOrderAsync();
        var charges = await _retention.Shop.Tables.GetTableClient(StorageTables.PaymentsSandbox)
            .QueryAsync<TableEntity>(e => e.PartitionKey == orderId).CountAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => _retention.Shop.Get<FulfillmentSteps>().ChargePaymentAsync(orderId, CancellationToken.None));

        Assert.Equal(charges, await _retention.Shop.Tables.GetTableClient(StorageTables.PaymentsSandbox)
            .QueryAsync<TableEntity>(e => e.PartitionKey == orderId).CountAsync());
    }
}
