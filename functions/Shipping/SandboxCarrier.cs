using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Shop.Functions.Platform;
using Shop.Functions.Shipping.Booking;
using Shop.Functions.Shipping.Cancellation;

namespace Shop.Functions.Shipping;

/// <summary>
/// SIMULATED shipping: nothing ships. Keeps each order's shipment as one row of the <see cref="StorageTables.Shipments"/>
/// table with a made-up tracking number (<see cref="TrackingNumberPrefix"/>…). Booking and the cancel tombstone are
/// conditional inserts of that row, and Booked -> Dispatched | Cancelled are updates under its ETag, so parallel callers,
/// even on two instances, agree on one booking and one outcome.
/// </summary>
public sealed partial class SandboxCarrier : ICarrier
{
    public const string CarrierName = "Sandbox";

    /// <summary>Marks tracking numbers as simulated wherever they show up (emails, webhooks, the order).</summary>
    public const string TrackingNumberPrefix = "SANDBOX-";

    // Optimistic-concurrency rounds (not retries of failures): a cancel and a dispatch racing settle in two or three.
    private const int MaxRounds = 20;

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
        var row = ShipmentRow.For(order, CarrierName, NewTrackingNumber(), _time.GetUtcNow());
        try
        {
            await _table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var first = await FindAsync(order.OrderId, cancellationToken)
                ?? throw new InvalidOperationException($"The shipment of order {order.OrderId} conflicted on insert but cannot be read.", ex);
            LogShippedBefore(order.OrderId, first.TrackingNumber, first.EffectiveState);
            return first.ToShipment();
        }

        LogBooked(order.OrderId, row.TrackingNumber);
        return row.ToShipment();
    }

    public async Task<Shipment> CancelAsync(CancelShipment command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        for (var round = 0; round < MaxRounds; round++)
        {
            var row = await FindAsync(command.OrderId, cancellationToken);
            try
            {
                if (row is null)
                {
                    var tombstone = ShipmentRow.Tombstone(command, CarrierName, _time.GetUtcNow());
                    await _table.AddEntityAsync(tombstone, cancellationToken);
                    LogTombstone(command.OrderId);
                    return tombstone.ToShipment();
                }

                if (row.EffectiveState != ShipmentStates.Booked)
                {
                    return row.ToShipment();
                }

                row.State = ShipmentStates.Cancelled;
                row.CancelledAt = _time.GetUtcNow();
                row.CancelReason = command.Reason ?? string.Empty;
                await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                LogCancelled(command.OrderId, row.TrackingNumber);
                return row.ToShipment();
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // ShipOrder booked it, or a dispatch moved it, since the read: decide again on what is there now.
            }
        }

        throw new InvalidOperationException($"Too many parallel changes to the shipment of order {command.OrderId}.");
    }

    public async Task<Shipment?> DispatchAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        for (var round = 0; round < MaxRounds; round++)
        {
            var row = await FindAsync(orderId, cancellationToken);
            if (row is null || row.State is ShipmentStates.Dispatched or ShipmentStates.Cancelled)
            {
                return row?.ToShipment();
            }

            // Booked, or a row from before states (its ShipmentDispatched was scheduled when it was booked).
            row.State = ShipmentStates.Dispatched;
            row.DispatchedAt = _time.GetUtcNow();
            try
            {
                await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                LogDispatched(orderId, row.TrackingNumber);
                return row.ToShipment();
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // A cancel (or another dispatch) came first: decide again on what is there now.
            }
        }

        throw new InvalidOperationException($"Too many parallel changes to the shipment of order {orderId}.");
    }

    private async Task<ShipmentRow?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<ShipmentRow>(orderId, ShipmentRow.Key, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private static string NewTrackingNumber() => TrackingNumberPrefix + RandomNumberGenerator.GetHexString(16);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shipping is SIMULATED by the sandbox carrier: nothing ships. Register a real ICarrier before taking real orders")]
    private partial void LogSimulated();

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox booked shipment {TrackingNumber} for order {OrderId}")]
    private partial void LogBooked(string orderId, string trackingNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} was shipped before as {TrackingNumber} ({ShipmentState}); answering that shipment")]
    private partial void LogShippedBefore(string orderId, string trackingNumber, string shipmentState);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} had no booking when its shipment was cancelled: a Cancelled tombstone makes its ShipOrder book nothing")]
    private partial void LogTombstone(string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox cancelled shipment {TrackingNumber} of order {OrderId} before dispatch")]
    private partial void LogCancelled(string orderId, string trackingNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox dispatched shipment {TrackingNumber} of order {OrderId}")]
    private partial void LogDispatched(string orderId, string trackingNumber);
}
