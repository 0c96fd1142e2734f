using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Moq;
using Shop.Functions.Fulfillment;
using Shop.Functions.Inventory;
using Shop.Functions.Orders;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;

namespace Shop.Functions.Tests.Fulfillment;

[Collection(AzuriteCollection.Name)]
public sealed class OrderFulfillmentOrchestratorRun(AzuriteFixture azurite) : IAsyncLifetime
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
    public async Task CompletesWithEachStepRecordedGivenShipmentDispatched()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();

        var waiting = await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));
        Assert.NotNull(waiting.ChargeId);
        Assert.Equal("AwaitingShipment", (await _saga.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true))!.SerializedCustomStatus?.Trim('"'));

        await _saga.DispatchAsync(orderId, "TRACK-42");
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Completed), result);
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(OrderStatuses.Completed, order.Status);
        Assert.Equal("TRACK-42", order.TrackingNumber);
        string[] expected = ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "OrderCompleted"];
        Assert.Equal(["Submitted", .. expected], order.GetSteps().Select(s => s.Name));
        Assert.Equal(expected, _saga.EventTypesFor(orderId));
        var shipOrder = Assert.Single(_saga.Shop.Sender.SentFor(orderId), m => m.Subject == "ShipOrder");
        Assert.Equal($"ShipOrder:{orderId}", shipOrder.MessageId);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task PublishesEventsWithStrictlyIncreasingSequence()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);
        await _saga.WaitForEndAsync(orderId);

        var events = _saga.EventsFor(orderId);
        // 1 to 4, then 5 set aside for the carrier's ShipmentDispatched (ShipOrder carries it), then OrderCompleted.
        Assert.Equal([1L, 2, 3, 4, 6], events.Select(e => e.Data.Sequence));
        var shipOrder = Assert.Single(_saga.Shop.Sender.SentFor(orderId), m => m.Subject == "ShipOrder");
        var command = JsonSerializer.Deserialize(shipOrder.Body.ToString(), ShopJsonContext.Default.ShipOrder)!;
        Assert.Equal(5, command.DispatchSequence);
        // The carrier hands it on in ShipmentDispatched, whose e-mail and webhook then need not read the order row.
        Assert.NotNull(command.Contact);
        Assert.Equal(events[0].Data.Contact, command.Contact);
        Assert.All(events, e =>
        {
            Assert.Equal($"{e.Type}:{orderId}:{e.Data.Sequence}", e.Id);
            Assert.Equal(orderId, e.Subject);
            Assert.Equal("1.0", e.SpecVersion);
        });
        var captured = Assert.Single(events, e => e.Type == OrderEventTypes.PaymentCaptured);
        Assert.True(captured.Data.Amount > 0);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task FailsOutOfStockWithoutChargingGivenNoStock()
    {
        await _saga.SetStockAsync("SKU-002", 0);

        var orderId = await _saga.SubmitAndPlaceAsync();
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Failed, FailureReasons.OutOfStock), result);
        var order = await _saga.OrderAsync(orderId);
        Assert.Equal(FailureReasons.OutOfStock, order.FailureReason);
        Assert.Null(order.ChargeId);
        Assert.Empty(await _saga.PaymentRowsAsync(orderId));
        Assert.Equal(1_000, await _saga.StockAsync("SKU-001"));
        Assert.Equal(["OrderAccepted", "OrderFailed"], _saga.EventTypesFor(orderId));

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task FailsDeclinedAndReleasesStockGivenADeclinedCard()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = "tok_decline");
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Failed, FailureReasons.PaymentDeclined), result);
        Assert.Equal(1_000, await _saga.StockAsync("SKU-001"));
        Assert.Equal(1_000, await _saga.StockAsync("SKU-002"));
        Assert.Equal(["OrderAccepted", "StockReserved", "StockReleased", "OrderFailed"], _saga.EventTypesFor(orderId));

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task RetriesAndCompletesGivenAFlakyPaymentProvider()
    {
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = "tok_flaky");

        var waiting = await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.Completed, result.Status);
        Assert.NotNull(waiting.ChargeId);
        Assert.Single(_saga.EventsFor(orderId), e => e.Type == OrderEventTypes.PaymentCaptured);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task EndsNeedsAttentionKeepingTheStockGivenAProviderThatStaysDownForGood()
    {
        // tok_unavailable: the provider never answers, not even what happened to the charge. Nothing is guessed: the
        // refund that would settle it is owed, and a person looks.
        var orderId = await _saga.SubmitAndPlaceAsync(b => b["payment"]!["token"] = "tok_unavailable");
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(OrderStatuses.NeedsAttention, result.Status);
        Assert.Contains(nameof(FulfillmentActivities.RefundPayment), result.FailureReason, StringComparison.Ordinal);
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));
        Assert.Equal(["OrderAccepted", "StockReserved", "OrderNeedsAttention"], _saga.EventTypesFor(orderId));
        Assert.Equal(OrderStatuses.NeedsAttention, (await _saga.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task CancelsWithRefundAndReleaseGivenCancelWhileAwaitingShipment()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        var cancel = await CancelAsync(orderId);
        Assert.Equal(StatusCodes.Status202Accepted, cancel.Status);
        Assert.Equal("CancellationRequested", cancel.Json().GetProperty("status").GetString());
        // Nothing is given back while the booking stands: the carrier must confirm the cancellation first.
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));
        Assert.DoesNotContain(await _saga.PaymentRowsAsync(orderId), row => row.RowKey.Contains("refund", StringComparison.OrdinalIgnoreCase));
        Assert.Single(_saga.Shop.Sender.SentFor(orderId), m => m.Destination == Shop.Functions.Messaging.Queues.CancelShipment);

        await _saga.CarrierCancelledAsync(orderId);
        var result = await _saga.WaitForEndAsync(orderId);
        // Issue 13 case 1: the saga sent ShipOrder; a Cancelled order must not leave its booking standing.
        await _saga.AssertConservedAsync();

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Cancelled), result);
        Assert.Equal(1_000, await _saga.StockAsync("SKU-001"));
        Assert.Equal(
            ["OrderAccepted", "StockReserved", "PaymentCaptured", "ShipmentRequested", "ShipmentCancellationRequested", "PaymentRefunded", "StockReleased", "OrderCancelled"],
            _saga.EventTypesFor(orderId));
        Assert.Contains(await _saga.PaymentRowsAsync(orderId), row => row.RowKey.Contains("refund", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TakesOneCancellationGivenTheClientAsksTwice()
    {
        // A 503 on cancel cannot say whether the event reached the saga (its answer may be lost), so the client is told
        // to retry: asking twice must cancel, refund and release once.
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId)).Status);
        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId)).Status);
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        await _saga.CarrierCancelledAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Cancelled), await _saga.WaitForEndAsync(orderId));
        await _saga.AssertConservedAsync();
        Assert.Single(_saga.Shop.Sender.SentFor(orderId), m => m.Destination == Shop.Functions.Messaging.Queues.CancelShipment);
        Assert.Single(_saga.EventTypesFor(orderId), type => type == "PaymentRefunded");
        Assert.Single(_saga.EventTypesFor(orderId), type => type == "ShipmentCancellationRequested");
        Assert.Equal(1_000, await _saga.StockAsync("SKU-001"));
    }

    [Fact]
    public async Task CompletesWithoutRefundGivenTheCarrierDispatchedBeforeItCouldCancel()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);

        Assert.Equal(StatusCodes.Status202Accepted, (await CancelAsync(orderId)).Status);
        await _saga.WaitForSagaStatusAsync(orderId, "AwaitingShipmentCancellation");
        await _saga.DispatchAsync(orderId);
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(new FulfillmentResult(orderId, OrderStatuses.Completed), result);
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));
        Assert.DoesNotContain(await _saga.PaymentRowsAsync(orderId), row => row.RowKey.Contains("refund", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(OrderEventTypes.PaymentRefunded, _saga.EventTypesFor(orderId));
        Assert.DoesNotContain(OrderEventTypes.OrderCancelled, _saga.EventTypesFor(orderId));
    }

    [Fact]
    public async Task Returns409GivenCancelOnceTheCarrierReportedDispatch()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);
        await _saga.WaitForSagaStatusAsync(orderId, OrderFulfillmentOrchestrator.DispatchedStatus);

        var cancel = await CancelAsync(orderId);

        SubmitOrderFunctionSubmitOrder.AssertProblem(cancel, StatusCodes.Status409Conflict, "urn:shop:problem:order-not-cancellable");
        await _saga.WaitForEndAsync(orderId);
        Assert.Equal(OrderStatuses.Completed, (await _saga.OrderAsync(orderId)).Status);
    }

    [Fact]
    public async Task Returns409GivenCancelAfterShipment()
    {
        var orderId = await _saga.SubmitAndPlaceAsync();
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.DispatchAsync(orderId);
        await _saga.WaitForEndAsync(orderId);

        var cancel = await CancelAsync(orderId);

        SubmitOrderFunctionSubmitOrder.AssertProblem(cancel, StatusCodes.Status409Conflict, "urn:shop:problem:order-not-cancellable");
        Assert.Equal(OrderStatuses.Completed, (await _saga.OrderAsync(orderId)).Status);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task Returns503AndChangesNothingGivenTheTaskHubFailsOnCancel()
    {
        var orderId = await _saga.SubmitAsync();
        var client = new Mock<DurableTaskClient>("failing") { CallBase = true };
        client.Setup(c => c.GetInstancesAsync(orderId, It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("The task hub did not answer."));
        var request = HttpTest.Request("POST", $"/api/orders/{orderId}/cancel", contentType: null);

        var response = await HttpTest.RunAsync(request, await _saga.Shop.Function<CancelOrderFunction>().CancelOrder(request, orderId, client.Object, CancellationToken.None));

        SubmitOrderFunctionSubmitOrder.AssertProblem(response, StatusCodes.Status503ServiceUnavailable, "urn:shop:problem:dependency-unavailable");
        Assert.Null(await _saga.Client.GetInstanceAsync(orderId));
        Assert.Equal(OrderStatuses.Accepted, (await _saga.OrderAsync(orderId)).Status);

        // The order was never placed: it stays Accepted, and nothing else may have happened to it.
        await _saga.AssertConservedAsync(new ConservationOptions { OpenAllowed = new HashSet<string> { orderId } });
    }

    [Fact]
    public async Task CancelsBeforeThePlaceOrderCommandArrives()
    {
        var orderId = await _saga.SubmitAsync();

        var cancel = await CancelAsync(orderId);
        await _saga.PlaceAsync(orderId);
        var result = await _saga.WaitForEndAsync(orderId);

        Assert.Equal(StatusCodes.Status202Accepted, cancel.Status);
        Assert.Equal(OrderStatuses.Cancelled, result.Status);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task StartsOneInstanceAndChargesOnceGivenDuplicatePlaceOrder()
    {
        var orderId = await _saga.SubmitAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _saga.PlaceAsync(orderId).ContinueWith(t => t.Status)));
        await _saga.PlaceAsync(orderId);
        await _saga.WaitForStatusAsync(orderId, OrderStatuses.AwaitingShipment);
        await _saga.PlaceAsync(orderId);
        await _saga.DispatchAsync(orderId);
        await _saga.WaitForEndAsync(orderId);

        Assert.Contains(TaskStatus.RanToCompletion, outcomes);
        var instances = await _saga.Client.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = orderId }).ToListAsync();
        Assert.Single(instances);
        Assert.Single(_saga.EventsFor(orderId), e => e.Type == OrderEventTypes.PaymentCaptured);
        Assert.Single(await _saga.PaymentRowsAsync(orderId), row => row.RowKey.Contains("charge", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(998, await _saga.StockAsync("SKU-001"));

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    [Fact]
    public async Task RejectsPlaceOrderForAnUnknownOrder()
    {
        var outcome = await _saga.PlaceAsync(OrderIds.NewRandom());

        Assert.IsType<Shop.Functions.Messaging.Consumers.MessageOutcome.Rejection>(outcome);

        // Over whole tables: money, goods and shipments conserved, every order terminal.
        await _saga.AssertConservedAsync();
    }

    private async Task<TestResponse> CancelAsync(string orderId)
    {
        var request = HttpTest.Request("POST", $"/api/orders/{orderId}/cancel", contentType: null);
        var result = await _saga.Shop.Function<CancelOrderFunction>().CancelOrder(request, orderId, _saga.Client, CancellationToken.None);
        return await HttpTest.RunAsync(request, result);
    }
}
