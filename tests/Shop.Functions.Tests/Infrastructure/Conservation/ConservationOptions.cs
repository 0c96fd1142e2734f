namespace Shop.Functions.Tests.Infrastructure;

/// <summary>What a test allows and knows beyond the tables: the stock it seeded, and the orders it left open or broke on purpose.</summary>
public sealed record ConservationOptions
{
    /// <summary>The stock each SKU had before the run (what the test set); stock taken is checked for these SKUs.</summary>
    public IReadOnlyDictionary<string, int> StockSeeds { get; init; } = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Orders that may end NeedsAttention (a test made a compensation fail for good). Their money and goods are not balanced, but listed.</summary>
    public IReadOnlySet<string> NeedsAttentionAllowed { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Any order may end NeedsAttention (a fault run that cannot say which).</summary>
    public bool AnyNeedsAttentionAllowed { get; init; }

    /// <summary>Orders a test leaves open on purpose (never placed, say): not checked for being terminal, balanced only as far as can be.</summary>
    public IReadOnlySet<string> OpenAllowed { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public ConservationOptions WithSeeds(IReadOnlyDictionary<string, int> seeds) => this with { StockSeeds = seeds };
}
