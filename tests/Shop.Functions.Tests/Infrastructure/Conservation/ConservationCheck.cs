using System.Globalization;
using Shop.Functions.Orders;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// Money and goods are conserved (issue 13): per order, captured minus refunded is the order's total if its parcel left
/// and zero otherwise; the units it holds are its quantities if its parcel left and none otherwise; a shipment stands only
/// for an order awaiting shipment or completed; every order is terminal; nothing announces a shipment or refund that did
/// not happen. Per SKU, the stock taken since the seed is what reservations hold and what left. Pure: feed it a snapshot.
/// </summary>
public static class ConservationCheck
{
    public const string NeedsAttention = OrderStatuses.NeedsAttention;
    public const string Compensating = OrderStatuses.Compensating;

    private static readonly string[] FinalStatusEvents = ["OrderCompleted", "OrderFailed", "OrderCancelled"];

    public static bool IsFinal(string status) => OrderStatuses.IsTerminal(status);

    public static ConservationReport Check(ConservationSnapshot snapshot, ConservationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        options ??= new ConservationOptions();
        var report = new ConservationReport();
        var orders = snapshot.Orders.ToDictionary(o => o.OrderId, StringComparer.Ordinal);
        var held = snapshot.Reservations.Where(r => r.Held).ToList();
        var unbalanced = new HashSet<string>(StringComparer.Ordinal);

        foreach (var order in snapshot.Orders)
        {
            report.Count(order.Status);
            var shipment = snapshot.Shipments.GetValueOrDefault(order.OrderId);
            var left = shipment?.HasLeft == true;
            var open = !IsFinal(order.Status);
            var openAllowed = options.OpenAllowed.Contains(order.OrderId);

            if (open && !openAllowed)
            {
                report.Add(order.OrderId, "terminal", $"is {order.Status} after the drain");
            }

            if (order.Status == NeedsAttention)
            {
                if (options.AnyNeedsAttentionAllowed || options.NeedsAttentionAllowed.Contains(order.OrderId))
                {
                    report.NeedsAttention.Add($"{order.OrderId} ({order.FailureReason})");
                    unbalanced.Add(order.OrderId);
                    continue;
                }

                report.Add(order.OrderId, "terminal", $"is NeedsAttention ({order.FailureReason}) but no test made a compensation fail for good");
            }

            CheckShipment(report, order, shipment);
            CheckMoney(report, order, snapshot.Payments.GetValueOrDefault(order.OrderId), left, open);
            CheckGoods(report, order, held, left, open);
            if (open)
            {
                unbalanced.Add(order.OrderId);
            }
        }

        foreach (var said in snapshot.Announcements)
        {
            CheckAnnouncement(report, said, orders.GetValueOrDefault(said.OrderId), snapshot);
        }

        CheckOrphans(report, snapshot, orders);
        CheckStock(report, snapshot, options, orders, held, unbalanced);
        report.Captured = snapshot.Payments.Values.Sum(p => p.Captured);
        report.Refunded = snapshot.Payments.Values.Sum(p => p.Refunded);
        report.ShipmentsLeft = snapshot.Shipments.Values.Count(s => s.HasLeft);
        report.ShipmentsCancelled = snapshot.Shipments.Values.Count(s => !s.Stands);
        report.Announcements = snapshot.Announcements.Count;
        return report;
    }

    private static void CheckShipment(ConservationReport report, OrderFacts order, ShipmentFacts? shipment)
    {
        if (order.Status == OrderStatuses.Completed && shipment?.HasLeft != true)
        {
            report.Add(order.OrderId, "shipment", $"is Completed but its shipment is {shipment?.Describe ?? "missing"}");
        }

        if (shipment is { Stands: true } && order.Status is not (OrderStatuses.AwaitingShipment or OrderStatuses.Completed))
        {
            report.Add(order.OrderId, "shipment", $"is {order.Status}{Reason(order)} but its shipment is {shipment.Describe}");
        }
    }

    private static void CheckMoney(ConservationReport report, OrderFacts order, PaymentFacts? payment, bool left, bool open)
    {
        var captured = payment?.Captured ?? 0m;
        var refunded = payment?.Refunded ?? 0m;
        var net = captured - refunded;
        var expected = left ? order.Total : 0m;
        var said = Money($"captured {captured}, refunded {refunded}, net {net}; the parcel {(left ? "left" : "did not leave")}, so net must be {expected} {order.Currency}");
        if (open ? net < 0 || net > order.Total : net != expected)
        {
            report.Add(order.OrderId, "money", $"is {order.Status}{Reason(order)}: {said}");
        }

        if (captured > 0 && payment?.Currency is { } currency && !string.Equals(currency, order.Currency, StringComparison.Ordinal))
        {
            report.Add(order.OrderId, "money", $"was charged in {currency}, its total is in {order.Currency}");
        }
    }

    private static void CheckGoods(ConservationReport report, OrderFacts order, List<ReservationFacts> held, bool left, bool open)
    {
        var wanted = order.Items.GroupBy(i => i.Sku.ToUpperInvariant()).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity), StringComparer.OrdinalIgnoreCase);
        var holds = held.Where(r => r.OrderId == order.OrderId).GroupBy(r => r.Sku.ToUpperInvariant())
            .ToDictionary(g => g.Key, g => g.Sum(r => r.Quantity), StringComparer.OrdinalIgnoreCase);
        foreach (var sku in wanted.Keys.Union(holds.Keys, StringComparer.OrdinalIgnoreCase))
        {
            var has = holds.GetValueOrDefault(sku);
            var expected = left ? wanted.GetValueOrDefault(sku) : 0;
            if (open ? has != 0 && has != wanted.GetValueOrDefault(sku) : has != expected)
            {
                report.Add(order.OrderId, "goods", $"is {order.Status}{Reason(order)} and holds {has} of {sku}; the parcel {(left ? "left" : "did not leave")}, so it must hold {expected}");
            }
        }
    }

    private static void CheckAnnouncement(ConservationReport report, Announcement said, OrderFacts? order, ConservationSnapshot snapshot)
    {
        if (order is null)
        {
            report.Add(said.OrderId, "announcement", $"{said.Channel} {said.EventType} for an order that does not exist");
            return;
        }

        var left = snapshot.Shipments.GetValueOrDefault(order.OrderId)?.HasLeft == true;
        var refunded = snapshot.Payments.GetValueOrDefault(order.OrderId)?.Refunded ?? 0m;
        if (said.EventType == "ShipmentDispatched" && !left)
        {
            report.Add(order.OrderId, "announcement", $"{said.Channel} ShipmentDispatched, but the order is {order.Status}{Reason(order)} and its shipment is {snapshot.Shipments.GetValueOrDefault(order.OrderId)?.Describe ?? "missing"}");
        }

        if (said.EventType == "PaymentRefunded" && refunded <= 0)
        {
            report.Add(order.OrderId, "announcement", $"{said.Channel} PaymentRefunded, but the provider refunded nothing");
        }

        if (FinalStatusEvents.Contains(said.EventType) && said.EventType != "Order" + order.Status)
        {
            report.Add(order.OrderId, "announcement", $"{said.Channel} {said.EventType}, but the order is {order.Status}{Reason(order)}");
        }
    }

    private static void CheckOrphans(ConservationReport report, ConservationSnapshot snapshot, Dictionary<string, OrderFacts> orders)
    {
        foreach (var payment in snapshot.Payments.Values.Where(p => !orders.ContainsKey(p.OrderId) && (p.Captured != 0 || p.Refunded != 0)))
        {
            report.Add(payment.OrderId, "money", Money($"captured {payment.Captured} and refunded {payment.Refunded} for an order that does not exist"));
        }

        foreach (var shipment in snapshot.Shipments.Values.Where(s => s.Stands && !orders.ContainsKey(s.OrderId)))
        {
            report.Add(shipment.OrderId, "shipment", $"shipment {shipment.Describe} for an order that does not exist");
        }

        foreach (var reservation in snapshot.Reservations.Where(r => r.Held && !orders.ContainsKey(r.OrderId)))
        {
            report.Add(reservation.OrderId, "goods", $"holds {reservation.Quantity} of {reservation.Sku} for an order that does not exist");
        }
    }

    private static void CheckStock(
        ConservationReport report, ConservationSnapshot snapshot, ConservationOptions options, Dictionary<string, OrderFacts> orders, List<ReservationFacts> held, HashSet<string> unbalanced)
    {
        foreach (var (sku, seed) in options.StockSeeds)
        {
            var available = snapshot.Stock.TryGetValue(sku, out var a) ? a : 0;
            var received = snapshot.Received.GetValueOrDefault(sku);
            var taken = seed + received - available;
            var holding = held.Where(r => string.Equals(r.Sku, sku, StringComparison.OrdinalIgnoreCase)).Sum(r => r.Quantity);
            var left = orders.Values
                .Where(o => snapshot.Shipments.GetValueOrDefault(o.OrderId)?.HasLeft == true || unbalanced.Contains(o.OrderId))
                .Select(o => (o.OrderId, Units: o.Items.Where(i => string.Equals(i.Sku, sku, StringComparison.OrdinalIgnoreCase)).Sum(i => i.Quantity)))
                .ToList();
            var shipped = left.Where(l => !unbalanced.Contains(l.OrderId)).Sum(l => l.Units);
            var open = left.Where(l => unbalanced.Contains(l.OrderId)).Sum(l => l.Units);
            report.UnitsTaken[sku] = taken;
            if (taken != holding)
            {
                report.Add(sku, "stock", $"seed {seed}, received {received}, available {available}: {taken} taken, but reservations hold {holding}");
            }

            if (open == 0 ? taken != shipped : taken < shipped || taken > shipped + open)
            {
                report.Add(sku, "stock", $"seed {seed}, available {available}: {taken} taken, but orders whose parcel left have {shipped}" + (open > 0 ? $" (and open or NeedsAttention orders up to {open} more)" : string.Empty));
            }
        }
    }

    private static string Reason(OrderFacts order) => order.FailureReason is null ? string.Empty : $"/{order.FailureReason}";

    private static string Money(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
