using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;

namespace Shop.Functions.Shipping;

/// <summary>
/// SIMULATED shipping: nothing ships. Books a shipment row in the <see cref="StorageTables.Shipments"/> table with
/// a made-up tracking number (<see cref="TrackingNumberPrefix"/>…). The insert is conditional, so an order asked to
/// ship twice, even in parallel, keeps its first shipment and tracking number.
/// </summary>
public sealed partial class SandboxCarrier : ICarrier
{
    public const string CarrierName = "Sandbox";

    /// <summary>Marks tracking numbers as simulated wherever they show up (emails, webhooks, the order).</summary>
    public const string TrackingNumberPrefix = "SANDBOX-";

    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly ILogger<SandboxCarrier> _logger;

    public SandboxCarrier(TableServiceClient tables, TimeProvider time, ILogger<SandboxCarrier> logger)
    {
        _table = tables.GetTableClient(StorageTables.Shipments);
        _time = time;
        _logger = logger;
        LogSimulated();
    }

    public async Task<Shipment> ShipAsync(ShipOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var row = ShipmentEntity.For(order, CarrierName, NewTrackingNumber(), _time.GetUtcNow());
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var first = await _table.GetEntityIfExistsAsync<ShipmentEntity>(order.OrderId, ShipmentEntity.Key, cancellationToken: cancellationToken);
            if (!first.HasValue)
            {
                throw new InvalidOperationException($"The shipment of order {order.OrderId} conflicted on insert but cannot be read.", ex);
            }

            LogShippedBefore(order.OrderId, first.Value!.TrackingNumber);
            return first.Value.ToShipment();
        }

        LogBooked(order.OrderId, row.TrackingNumber);
        return row.ToShipment();
    }

    private static string NewTrackingNumber() => TrackingNumberPrefix + RandomNumberGenerator.GetHexString(16);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shipping is SIMULATED by the sandbox carrier: nothing ships. Register a real ICarrier before taking real orders")]
    private partial void LogSimulated();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox booked shipment {TrackingNumber} for order {OrderId}")]
    private partial void LogBooked(string orderId, string trackingNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was shipped before as {TrackingNumber}; answering that shipment")]
    private partial void LogShippedBefore(string orderId, string trackingNumber);
}
