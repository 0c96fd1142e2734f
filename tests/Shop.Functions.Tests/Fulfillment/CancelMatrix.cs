using Microsoft.DurableTask.Client;
using Shop.Functions.Fulfillment;
using Shop.Functions.Orders.CancelOrder;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Fulfillment;

/// <summary>Where in the saga the customer cancels.</summary>
public enum CancelPoint
{
    BeforeStart,
    DuringAcceptOrder,
    DuringReserveStock,
    DuringChargePayment,
    DuringRequestShipment,
    AwaitingShipment,
    RacingDispatch,
    AfterDispatch,
}

/// <summary>What goes wrong meanwhile.</summary>
public enum MatrixFault
{
    None,

    /// <summary>Every request to the sandbox payment tables fails (503) for longer than the activity retries.</summary>
    ProviderUnavailable,

    /// <summary>Orders-table transactions fail for longer than the retries while the named activity runs (see <see cref="CancelMatrix.OrdersDuring"/>).</summary>
    OrdersTransactionsFailing,

    /// <summary>A fifth of all writes lose their response at the transport, below the SDK's retries.</summary>
    LostResponse,

    /// <summary>Every activity runs twice at once and again as a stale duplicate (<see cref="ActivityDuplicates"/>).</summary>
    ActivitiesTwice,
}

/// <summary>
/// Issue 13's acceptance matrix: cancel at each point of the saga × each fault, every cell ending with the conservation
/// check over whole tables. The carrier is the app's own (<see cref="HarnessCarrier"/>), dispatching 1 s after booking, and
/// it is not delayed past the test: the check runs once the saga ended and every message sent was handled.
/// </summary>
[Collection(CancelMatrixStorage.Name)]
[Trait("Category", "Slow")]
[Trait("Category", "Matrix")]
public sealed class CancelMatrix(AzuriteFixture azurite, ITestOutputHelper output)
{
    /// <summary>The activity during which Orders-table transactions fail, per cancel point (the step the cancel aims at).</summary>
    public static string OrdersDuring(CancelPoint point) => point switch
    {
        CancelPoint.DuringAcceptOrder => nameof(FulfillmentActivities.AcceptOrder),
        CancelPoint.DuringReserveStock => nameof(FulfillmentActivities.ReserveStock),
        CancelPoint.DuringChargePayment => nameof(FulfillmentActivities.ChargePayment),
        CancelPoint.DuringRequestShipment => nameof(FulfillmentActivities.RequestShipment),
        CancelPoint.AfterDispatch or CancelPoint.RacingDispatch => nameof(FulfillmentActivities.CompleteOrder),
        _ => nameof(FulfillmentActivities.MarkOrderCancelled),
    };

    public static TheoryData<CancelPoint, MatrixFault> Cells()
    {
        var cells = new TheoryData<CancelPoint, MatrixFault>();
        foreach (var point in Enum.GetValues<CancelPoint>())
        {
            foreach (var fault in Enum.GetValues<MatrixFault>())
            {
                cells.Add(point, fault);
            }
        }

        return cells;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task ConservesMoneyAndGoods(CancelPoint point, MatrixFault fault)
    {
        var transport = new TransportFaults();
        var duplicates = fault == MatrixFault.ActivitiesTwice ? new ActivityDuplicates { StaleAfter = TimeSpan.FromSeconds(1.5) } : null;
        await using var saga = await SagaHarness.StartAsync(
            azurite, new Dictionary<string, string?> { ["Shipping:DispatchDelay"] = "00:00:01" }, configure: transport.Install, duplicates: duplicates);
        await saga.SetStockAsync("SKU-001", 1_000);
        await saga.SetStockAsync("SKU-002", 1_000);
        var outage = TimeSpan.FromSeconds(3); // the harness's 4 attempts over ~1 s, the SDK's retries inside each
        if (point.ToString().StartsWith("During", StringComparison.Ordinal))
        {
            // Holds the step open long enough for the cancel to land while it runs (a slow network, not a failure).
            transport.Slow(StorageRequest.During(OrdersDuring(point), _ => true), TimeSpan.FromMilliseconds(300));
        }

        switch (fault)
        {
            case MatrixFault.ProviderUnavailable:
                transport.FailFor(StorageRequest.OnTable(StorageTables.PaymentsSandbox), outage);
                break;
            case MatrixFault.OrdersTransactionsFailing:
                transport.FailFor(StorageRequest.During(OrdersDuring(point), StorageRequest.BatchOn(StorageTables.Orders)), outage);
                break;
            case MatrixFault.LostResponse:
                transport.LoseResponsesAtRate(StorageRequest.AnyWrite, 0.2);
                break;
        }

        var orderId = await saga.SubmitAsync();
        // The app's own carrier, dispatching 1 s after booking unless cancelled first; at RacingDispatch the customer
        // cancels at the moment it dispatches.
        var carrier = HarnessCarrier.Start(saga, orderId, point == CancelPoint.RacingDispatch ? async () => await CancelAsync(saga, orderId) : null);
        if (point == CancelPoint.BeforeStart)
        {
            output.WriteLine($"cancel before start: {await CancelAsync(saga, orderId)}");
        }

        await saga.PlaceAsync(orderId);
        var landed = point switch
        {
            CancelPoint.BeforeStart => "before start",
            CancelPoint.AwaitingShipment => await CancelWhenAsync(saga, orderId, "AwaitingShipment"),
            CancelPoint.AfterDispatch => await CancelWhenAsync(saga, orderId, OrderFulfillmentOrchestrator.DispatchedStatus),
            CancelPoint.RacingDispatch => "by the carrier, at dispatch",
            _ => await CancelWhenAsync(saga, orderId, OrdersDuring(point)),
        };
        output.WriteLine($"cancel: {landed}");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var instance = await saga.Client.WaitForInstanceCompletionAsync(orderId, getInputsAndOutputs: true, timeout.Token);
        output.WriteLine($"saga: {instance.RuntimeStatus} {instance.SerializedOutput}; faults injected: {transport.Rules.Sum(r => r.Injected)}");
        await carrier.DisposeAsync();
        Assert.Empty(carrier.Rejected);

        var report = await saga.ConservationAsync();
        output.WriteLine(report.ToString());
        report.AssertHolds();
    }

    /// <summary>Cancels once the saga is at <paramref name="step"/> (its custom status), or as soon as it is past it.</summary>
    private static async Task<string> CancelWhenAsync(SagaHarness saga, string orderId, string step)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var instance = await saga.Client.GetInstanceAsync(orderId, getInputsAndOutputs: true);
            if (instance?.SerializedCustomStatus?.Trim('"') == step || instance?.IsCompleted == true)
            {
                return $"at {instance.SerializedCustomStatus}: {await CancelAsync(saga, orderId)}";
            }

            await Task.Delay(20);
        }

        return $"never saw {step}: {await CancelAsync(saga, orderId)}";
    }

    private static async Task<int> CancelAsync(SagaHarness saga, string orderId)
    {
        var request = HttpTest.Request("POST", $"/api/orders/{orderId}/cancel", contentType: null);
        var result = await saga.Shop.Function<CancelOrderFunction>().CancelOrder(request, orderId, saga.Client, CancellationToken.None);
        return (await HttpTest.RunAsync(request, result)).Status;
    }
}
