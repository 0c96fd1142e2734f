using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Fulfillment;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Orders.Events;
using Shop.Functions.Orders.Watchdog;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>
/// What the saga does when undoing is itself hard: a cancel before shipment is requested, a refund the provider rejects
/// (retried on the long schedule, then NeedsAttention instead of a false Cancelled), and a refund that succeeds on a later round.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentOrchestratorCompensation(AzuriteFixture azurite) : IAsyncLifetime
{
    private SagaHarness _saga = null!;

    public async Task InitializeAsync()
    {
        _saga = await SagaHarness.StartAsync(azurite);
        await _saga.SetStockAsync("SKU-001", 1_000);
        await _saga.SetStockAsync("SKU-002", 1_000);
    }

    public async Task DisposeAsync() => await _saga.DisposeAsync();

    [Fact]
    public async Task RequestsNoShipmentGivenACancelBeforeTheShipmentStep()
    {
        // tok_flaky fails the charge twice: the cancel lands while the saga is still in the payment step.
        var orderId = await _saga.SubmitAsync(b => b["payment"]!["token"] = "tok_flaky_1");
        await _saga.PlaceAsync(orderId);
        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId)).Status);

        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Cancelled, result.Status);
        Assert.DoesNotContain(_saga.Shop.Sender.SentFor(orderId), m => m.Destination is Queues.ShipOrder or Queues.CancelShipment);
        Assert.Equal(1_000, await _saga.StockAsync("SKU-001"));
        Assert.Equal(0m, await NetCapturedAsync(orderId));
    }

    [Fact]
    public async Task EndsNeedsAttentionNotCancelledGivenTheProviderKeepsRejectingTheRefund()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await SetChargeIdAsync(orderId, "ch_not_this_orders");
        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId)).Status);
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        await _saga.CarrierCancelledAsync(orderId);

        var result = await _saga.WaitForEndAsync(orderId);

        // Not a false Cancelled: the card is still charged, and a person must look.
        Assert.Equal(OrderStatuses.NeedsAttention, result.Status);
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.NeedsAttention, order.Status);
        Assert.Contains("RefundPayment", order.FailureReason, StringComparison.Ordinal);
        Assert.Contains(order.GetSteps(), s => s.Name == OrderStepNames.CompensationOwed);
        Assert.Contains(OrderEventTypes.OrderNeedsAttention, _saga.EventTypesFor(orderId));
        var listed = await _saga.Shop.Get<OpenOrderIndex>().NeedsAttentionAsync(100, null, CancellationToken.None);
        Assert.Contains(listed, row => row.RowKey == orderId);
        Assert.DoesNotContain(OrderEventTypes.OrderCancelled, _saga.EventTypesFor(orderId));
        Assert.DoesNotContain(OrderEventTypes.PaymentRefunded, _saga.EventTypesFor(orderId));
        // The stock is given back only after the refund (compensations run in reverse), so it is still held.
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));
    }

    [Fact]
    public async Task RefundsOnALaterRoundAndEndsCancelledGivenTheRejectionIsMended()
    {
        await using var saga = await SagaHarness.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Fulfillment:CompensationFirstRetryInterval"] = "00:00:01",
            ["Fulfillment:CompensationGiveUpAfter"] = "00:01:00",
        });
        await saga.SetStockAsync("SKU-001", 1_000);
        await saga.SetStockAsync("SKU-002", 1_000);
        var orderId = await saga.SubmitAndPlaceAsync();
        var waiting = await saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await SetChargeIdAsync(orderId, "ch_not_this_orders", saga);
        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId, saga)).Status);
        await saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        await saga.CarrierCancelledAsync(orderId);

        // While the refund is owed the order says so, and is not final.
        var owed = await saga.WaitForStatusAsync(orderId, OrderStatuses.Compensating);
        Assert.Contains(owed.GetSteps(), s => s.Name == OrderStepNames.CompensationOwed && s.Detail!.StartsWith("RefundPayment", StringComparison.Ordinal));
        await SetChargeIdAsync(orderId, waiting.ChargeId!, saga);
        var result = await saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Cancelled, result.Status);
        Assert.Equal(0m, await NetCapturedAsync(orderId, saga));
        Assert.Equal(1_000, await saga.StockAsync("SKU-001"));
    }

    [Fact]
    public async Task ResolvesACaptureWhoseAnswerWasLostAndCompletesGivenTheProviderThenDownPastTheRetries()
    {
        // Issue 13 case 2: the capture is written, its answer lost below the SDK's retries, and the provider then stays
        // down longer than the activity's retries. The saga asks the provider once it is back, instead of failing the order.
        var faults = new TransportFaults();
        await using var saga = await StartWithCarrierAsync(faults);
        faults.LoseResponses(StorageRequest.WritesTo(StorageTables.PaymentsSandbox));
        faults.FailFor(StorageRequest.OnTable(StorageTables.PaymentsSandbox), TimeSpan.FromSeconds(2.5));
        var orderId = await saga.SubmitAsync();
        var carrier = HarnessCarrier.Start(saga, orderId);

        await saga.PlaceAsync(orderId);
        var result = await saga.WaitForEndAsync(orderId);
        await carrier.DisposeAsync();

        Assert.Equal(OrderStatuses.Completed, result.Status);
        Assert.True(faults.Injected(TransportFault.LoseResponse) >= 1);
        Assert.Contains(OrderEventTypes.PaymentCaptured, saga.EventTypesFor(orderId));
        Assert.NotEqual(0m, await NetCapturedAsync(orderId, saga));
        await saga.AssertConservedAsync();
    }

    [Fact]
    public async Task CompletesWithoutRefundGivenCompleteOrderFailsPastItsRetriesAfterDispatch()
    {
        // Issue 13 case 4: once the parcel left, a failing final write is retried, never compensated.
        var faults = new TransportFaults();
        await using var saga = await StartWithCarrierAsync(faults);
        faults.FailFor(StorageRequest.During(nameof(FulfillmentActivities.CompleteOrder), StorageRequest.BatchOn(StorageTables.Orders)), TimeSpan.FromSeconds(2));
        var orderId = await saga.SubmitAsync();
        var carrier = HarnessCarrier.Start(saga, orderId);

        await saga.PlaceAsync(orderId);
        var result = await saga.WaitForEndAsync(orderId);
        await carrier.DisposeAsync();

        Assert.Equal(OrderStatuses.Completed, result.Status);
        Assert.True(faults.Injected(TransportFault.ServerBusy) >= 1);
        Assert.DoesNotContain(OrderEventTypes.PaymentRefunded, saga.EventTypesFor(orderId));
        Assert.DoesNotContain(OrderEventTypes.StockReleased, saga.EventTypesFor(orderId));
        await saga.AssertConservedAsync();
    }

    private async Task<SagaHarness> StartWithCarrierAsync(TransportFaults faults)
    {
        var saga = await SagaHarness.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                ["Shipping:DispatchDelay"] = "00:00:01",
                ["Fulfillment:CompensationFirstRetryInterval"] = "00:00:00.500",
                ["Fulfillment:CompensationGiveUpAfter"] = "00:00:30",
            },
            configure: faults.Install);
        await saga.SetStockAsync("SKU-001", 1_000);
        await saga.SetStockAsync("SKU-002", 1_000);
        return saga;
    }

    private async Task SetChargeIdAsync(string orderId, string chargeId, SagaHarness? saga = null)
    {
        saga ??= _saga;
        var order = await saga.OrderAsync(orderId);
        order.ChargeId = chargeId;
        await saga.Shop.OrdersTable.UpdateEntityAsync(order, order.ETag, TableUpdateMode.Replace);
    }

    /// <summary>Captured minus refunded, from the sandbox provider's own rows.</summary>
    private async Task<decimal> NetCapturedAsync(string orderId, SagaHarness? saga = null)
    {
        var rows = await (saga ?? _saga).PaymentRowsAsync(orderId);
        decimal Amount(TableEntity row) => decimal.Parse(row.GetString("Amount") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        return rows.Where(r => r.RowKey == "charge" && r.GetString("Outcome") == "Captured").Sum(Amount)
            - rows.Where(r => r.RowKey == "refund").Sum(Amount);
    }

    private async Task<TestResponse> CancelAsync(string orderId, SagaHarness? saga = null)
    {
        saga ??= _saga;
        var request = HttpTest.Request("POST", $"/api/orders/{orderId}/cancel", contentType: null);
        var result = await saga.Shop.Function<CancelOrderFunction>().CancelOrder(request, orderId, saga.Client, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
