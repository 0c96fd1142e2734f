using Shop.Functions.Orders;
using Xunit;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>The conservation check itself: a consistent set of rows passes, and each broken rule is found, with the order id.</summary>
public sealed class ConservationCheckCheck
{
    private const string Sku = "SKU-900";
    private static readonly ConservationOptions Seeded = new() { StockSeeds = new Dictionary<string, int> { [Sku] = 10 } };

    [Fact]
    public void HoldsGivenACompletedACancelledAndAFailedOrder()
    {
        var report = ConservationCheck.Check(Consistent(), Seeded);

        Assert.True(report.Holds, report.ToString());
        Assert.Equal(3, report.OrdersByStatus.Values.Sum());
        Assert.Equal(2, report.UnitsTaken[Sku]);
    }

    [Fact]
    public void FindsAShippedCancelledOrder()
    {
        var rows = Consistent();
        rows.Shipments["o-cancelled"] = new ShipmentFacts("o-cancelled", null);

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Contains(report.Violations, v => v.Subject == "o-cancelled" && v.Rule == "shipment");
        // The parcel left, so the refund and the released units are now wrong too.
        Assert.Contains(report.Violations, v => v.Subject == "o-cancelled" && v.Rule == "money");
        Assert.Contains(report.Violations, v => v.Subject == "o-cancelled" && v.Rule == "goods");
        Assert.Contains("o-cancelled", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptsACancelledShipmentOfACancelledOrder()
    {
        var rows = Consistent();
        rows.Shipments["o-cancelled"] = new ShipmentFacts("o-cancelled", ShipmentFacts.Cancelled);

        Assert.True(ConservationCheck.Check(rows, Seeded).Holds);
    }

    [Fact]
    public void FindsAChargeWithoutARefundOnAFailedOrder()
    {
        var rows = Consistent();
        rows.Payments["o-failed"] = Paid("o-failed", 20m, 0m);

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Equal(["money"], report.BrokenRules);
        Assert.Equal("o-failed", Assert.Single(report.Violations).Subject);
    }

    [Fact]
    public void FindsARefundOfACompletedOrder()
    {
        var rows = Consistent();
        rows.Payments["o-completed"] = Paid("o-completed", 20m, 20m);
        rows.Announcements.Add(new Announcement("o-completed", Announcement.Email, "PaymentRefunded"));

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Equal(["money"], report.BrokenRules);
    }

    [Fact]
    public void FindsACompletedOrderChargedTheWrongAmount()
    {
        var rows = Consistent();
        rows.Payments["o-completed"] = Paid("o-completed", 19.99m, 0m);

        Assert.Equal(["money"], ConservationCheck.Check(rows, Seeded).BrokenRules);
    }

    [Fact]
    public void FindsUnitsLeakedByAStaleReservation()
    {
        var rows = Consistent();
        rows.Reservations.Add(new ReservationFacts(Sku, "o-cancelled", 2, Held: true));
        rows.Stock[Sku] = 6;

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Contains(report.Violations, v => v.Subject == "o-cancelled" && v.Rule == "goods");
        Assert.Contains(report.Violations, v => v.Subject == Sku && v.Rule == "stock");
    }

    [Fact]
    public void FindsStockTakenWithoutAReservation()
    {
        var rows = Consistent();
        rows.Stock[Sku] = 7;

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Equal(["stock"], report.BrokenRules);
        Assert.All(report.Violations, v => Assert.Equal(Sku, v.Subject));
    }

    [Fact]
    public void FindsACompletedOrderWithoutAShipment()
    {
        var rows = Consistent();
        rows.Shipments.Remove("o-completed");

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Contains(report.Violations, v => v.Subject == "o-completed" && v.Rule == "shipment");
    }

    [Fact]
    public void FindsABookingThatStandsForAProcessingOrder()
    {
        var rows = Consistent();
        rows.Orders.Add(Order("o-open", OrderStatuses.Processing));
        rows.Shipments["o-open"] = new ShipmentFacts("o-open", ShipmentFacts.Booked);

        var report = ConservationCheck.Check(rows, Seeded with { OpenAllowed = new HashSet<string> { "o-open" } });

        Assert.Equal("o-open", Assert.Single(report.Violations).Subject);
        Assert.Equal("shipment", report.Violations[0].Rule);
    }

    [Fact]
    public void FindsAnOrderLeftOpenAfterTheDrain()
    {
        var rows = Consistent();
        rows.Orders.Add(Order("o-open", OrderStatuses.AwaitingShipment));

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Equal(["terminal"], report.BrokenRules);
        Assert.Equal("o-open", Assert.Single(report.Violations).Subject);
    }

    [Fact]
    public void FindsNeedsAttentionOnlyWhereNotAllowed()
    {
        var rows = Consistent();
        rows.Orders.Add(Order("o-stuck", ConservationCheck.NeedsAttention) with { FailureReason = "RefundRejected" });
        rows.Payments["o-stuck"] = Paid("o-stuck", 10m, 0m);

        var refused = ConservationCheck.Check(rows, Seeded);
        var allowed = ConservationCheck.Check(rows, Seeded with { NeedsAttentionAllowed = new HashSet<string> { "o-stuck" } });

        Assert.Contains(refused.Violations, v => v.Subject == "o-stuck" && v.Rule == "terminal");
        Assert.True(allowed.Holds, allowed.ToString());
        Assert.Contains("o-stuck (RefundRejected)", allowed.NeedsAttention);
    }

    [Theory]
    [InlineData(Announcement.Email)]
    [InlineData(Announcement.Webhook)]
    public void FindsAShipmentAnnouncedForACancelledOrder(string channel)
    {
        var rows = Consistent();
        rows.Announcements.Add(new Announcement("o-cancelled", channel, "ShipmentDispatched"));

        var violation = Assert.Single(ConservationCheck.Check(rows, Seeded).Violations);

        Assert.Equal(("o-cancelled", "announcement"), (violation.Subject, violation.Rule));
        Assert.Contains(channel, violation.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void FindsARefundAnnouncedThatDidNotHappen()
    {
        var rows = Consistent();
        rows.Announcements.Add(new Announcement("o-failed", Announcement.Webhook, "PaymentRefunded"));

        var violation = Assert.Single(ConservationCheck.Check(rows, Seeded).Violations);

        Assert.Equal(("o-failed", "announcement"), (violation.Subject, violation.Rule));
    }

    [Fact]
    public void FindsAFinalStatusAnnouncedThatTheOrderDoesNotHave()
    {
        var rows = Consistent();
        rows.Announcements.Add(new Announcement("o-completed", Announcement.Email, "OrderCancelled"));

        Assert.Equal(("o-completed", "announcement"), Single(ConservationCheck.Check(rows, Seeded)));
    }

    [Fact]
    public void FindsAChargeAndAShipmentOfAnOrderThatDoesNotExist()
    {
        var rows = Consistent();
        rows.Payments["o-ghost"] = Paid("o-ghost", 5m, 0m);
        rows.Shipments["o-ghost"] = new ShipmentFacts("o-ghost", ShipmentFacts.Dispatched);

        var report = ConservationCheck.Check(rows, Seeded);

        Assert.Equal(2, report.Violations.Count(v => v.Subject == "o-ghost"));
    }

    [Fact]
    public void ThrowsWithTheWholeReportGivenAViolation()
    {
        var rows = Consistent();
        rows.Payments["o-failed"] = Paid("o-failed", 20m, 0m);

        var thrown = Assert.ThrowsAny<Exception>(() => ConservationCheck.Check(rows, Seeded).AssertHolds());

        Assert.Contains("o-failed: [money]", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("1 violation", thrown.Message, StringComparison.Ordinal);
    }

    /// <summary>o-completed: 2 units, 20.00 captured, shipped; o-cancelled: captured and refunded, released; o-failed: declined.</summary>
    private static ConservationSnapshot Consistent()
    {
        var rows = new ConservationSnapshot();
        rows.Orders.Add(Order("o-completed", OrderStatuses.Completed));
        rows.Orders.Add(Order("o-cancelled", OrderStatuses.Cancelled));
        rows.Orders.Add(Order("o-failed", OrderStatuses.Failed) with { FailureReason = FailureReasons.PaymentDeclined });
        rows.Payments["o-completed"] = Paid("o-completed", 20m, 0m);
        rows.Payments["o-cancelled"] = Paid("o-cancelled", 20m, 20m);
        rows.Payments["o-failed"] = new PaymentFacts("o-failed", 0m, 0m, null, ["charge"]);
        rows.Stock[Sku] = 8;
        rows.Reservations.Add(new ReservationFacts(Sku, "o-completed", 2, Held: true));
        rows.Reservations.Add(new ReservationFacts(Sku, "o-cancelled", 2, Held: false));
        rows.Reservations.Add(new ReservationFacts(Sku, "o-failed", 2, Held: false));
        rows.Shipments["o-completed"] = new ShipmentFacts("o-completed", ShipmentFacts.Dispatched);
        rows.Announcements.Add(new Announcement("o-completed", Announcement.Email, "ShipmentDispatched"));
        rows.Announcements.Add(new Announcement("o-completed", Announcement.Webhook, "OrderCompleted"));
        rows.Announcements.Add(new Announcement("o-cancelled", Announcement.Email, "PaymentRefunded"));
        rows.Announcements.Add(new Announcement("o-cancelled", Announcement.Email, "OrderCancelled"));
        rows.Announcements.Add(new Announcement("o-failed", Announcement.Webhook, "OrderFailed"));
        return rows;
    }

    private static OrderFacts Order(string id, string status) => new(id, status, null, [new OrderLine(Sku, 2)], 20m, "EUR");

    private static PaymentFacts Paid(string id, decimal captured, decimal refunded) =>
        new(id, captured, refunded, "EUR", refunded > 0 ? ["charge", "refund"] : ["charge"]);

    private static (string, string) Single(ConservationReport report)
    {
        var violation = Assert.Single(report.Violations);
        return (violation.Subject, violation.Rule);
    }
}
