using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>One broken rule: the order (or SKU) it is about, which rule, and why, in words.</summary>
public sealed record ConservationViolation(string Subject, string Rule, string Detail)
{
    public override string ToString() => $"{Subject}: [{Rule}] {Detail}";
}

/// <summary>What <see cref="ConservationCheck"/> found: every violation with its order id, and counts, readable in a test's output.</summary>
public sealed class ConservationReport
{
    private readonly List<ConservationViolation> _violations = [];

    public IReadOnlyList<ConservationViolation> Violations => _violations;

    public bool Holds => _violations.Count == 0;

    public SortedDictionary<string, int> OrdersByStatus { get; } = new(StringComparer.Ordinal);

    public List<string> NeedsAttention { get; } = [];

    public SortedDictionary<string, int> UnitsTaken { get; } = new(StringComparer.OrdinalIgnoreCase);

    public decimal Captured { get; set; }

    public decimal Refunded { get; set; }

    public int ShipmentsLeft { get; set; }

    public int ShipmentsCancelled { get; set; }

    public int Announcements { get; set; }

    /// <summary>The rules broken, by name (money, goods, shipment, terminal, announcement, stock).</summary>
    public IReadOnlySet<string> BrokenRules => _violations.Select(v => v.Rule).ToHashSet(StringComparer.Ordinal);

    public void Add(string subject, string rule, string detail) => _violations.Add(new ConservationViolation(subject, rule, detail));

    public void Count(string status) => OrdersByStatus[status] = OrdersByStatus.GetValueOrDefault(status) + 1;

    /// <summary>Throws with the whole report when a rule is broken.</summary>
    public void AssertHolds()
    {
        if (!Holds)
        {
            throw new XunitException(ToString());
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Conservation: {(Holds ? "holds" : $"{_violations.Count} violation(s)")}. ");
        text.Append(CultureInfo.InvariantCulture, $"Orders: {OrdersByStatus.Values.Sum()} ({string.Join(", ", OrdersByStatus.Select(p => $"{p.Value} {p.Key}"))}); ");
        text.Append(CultureInfo.InvariantCulture, $"captured {Captured}, refunded {Refunded}; shipments left {ShipmentsLeft}, cancelled {ShipmentsCancelled}; ");
        text.Append(CultureInfo.InvariantCulture, $"units taken {string.Join(", ", UnitsTaken.Select(p => $"{p.Key} {p.Value}"))}; announcements {Announcements}");
        if (NeedsAttention.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; NeedsAttention (allowed, not balanced): {string.Join(", ", NeedsAttention)}");
        }

        foreach (var violation in _violations)
        {
            text.AppendLine().Append("  ").Append(violation);
        }

        return text.ToString();
    }
}
