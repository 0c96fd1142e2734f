using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Shop.Functions.Tests.Webhooks;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>
/// One run's conservation check, as the harnesses hold it: clients of their own (no injected faults), the baseline of
/// orders that existed before the run (on a shared Azurite), and the stock the run seeded.
/// </summary>
public sealed class ConservationScope
{
    private readonly Dictionary<string, int> _seeds = new(StringComparer.OrdinalIgnoreCase);

    private ConservationScope(string connectionString, ConservationBaseline baseline)
    {
        Tables = new TableServiceClient(connectionString);
        Blobs = new BlobServiceClient(connectionString);
        Baseline = baseline;
    }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public ConservationBaseline Baseline { get; }

    public IReadOnlyDictionary<string, int> Seeds => _seeds;

    /// <summary>Reads the baseline now: every order already in storage is not this run's.</summary>
    public static async Task<ConservationScope> StartAsync(string connectionString)
    {
        var clean = new ConservationScope(connectionString, ConservationBaseline.Empty);
        return new ConservationScope(connectionString, await ConservationBaseline.CaptureAsync(clean.Tables, clean.Blobs));
    }

    /// <summary>Sets a SKU's stock and remembers it as the seed that stock taken is counted from.</summary>
    public async Task SetStockAsync(string sku, int available)
    {
        await Tables.SetStockAsync(sku, available);
        _seeds[sku] = available;
    }

    public void Seed(string sku, int available) => _seeds[sku] = available;

    /// <summary>Reads whole tables and the e-mail container (and the webhook requests given) and checks them.</summary>
    /// <param name="adjust">Facts the tables cannot hold (the saga harness has no carrier: it says what was shipped).</param>
    public async Task<ConservationReport> CheckAsync(
        ConservationOptions? options = null, IEnumerable<ReceivedWebhook>? webhooks = null, Action<ConservationSnapshot>? adjust = null)
    {
        var snapshot = await ConservationReader.ReadAsync(Tables, Blobs, Baseline, webhooks);
        adjust?.Invoke(snapshot);
        options ??= new ConservationOptions();
        var seeds = new Dictionary<string, int>(_seeds, StringComparer.OrdinalIgnoreCase);
        foreach (var (sku, seed) in options.StockSeeds)
        {
            seeds[sku] = seed;
        }

        return ConservationCheck.Check(snapshot, options.WithSeeds(seeds));
    }
}
