using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Shop.Functions.Catalog;
using Shop.Functions.Catalog.GetItem;
using Shop.Functions.Catalog.ListItems;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Catalog;

/// <summary>
/// The app against real storage, with a clock the test moves, a count of storage round trips, and a Polly chaos fault
/// next to every catalog storage call that the test turns on and off (<see cref="StorageFaults"/>).
/// </summary>
internal sealed class CatalogTest : IAsyncDisposable
{
    private int _faultsInjected;

    private CatalogTest()
    {
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public StorageCallCounter StorageCalls { get; } = new();

    /// <summary>While true, each catalog refresh fails with a storage error before reaching storage.</summary>
    public bool StorageFaults { get; set; }

    public int FaultsInjected => Volatile.Read(ref _faultsInjected);

    public ShopTestServices Shop { get; private set; } = null!;

    public TimeSpan Ttl => Shop.Get<IOptions<CatalogOptions>>().Value.CacheTtl;

    public static async Task<CatalogTest> StartAsync(string storage, IDictionary<string, string?>? settings = null)
    {
        var test = new CatalogTest();
        test.Shop = await ShopTestServices.StartAsync(storage, settings, services =>
        {
            test.StorageCalls.Install(services);
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(test.Time));
            services.RemoveAllKeyed<ResiliencePipeline>(CatalogResilience.Key);
            services.AddKeyedSingleton(CatalogResilience.Key, (sp, _) => CatalogResilience.Build(
                sp.GetRequiredService<IOptions<CatalogOptions>>().Value,
                test.Time,
                inner => inner.AddChaosFault(new ChaosFaultStrategyOptions
                {
                    InjectionRate = 1,
                    EnabledGenerator = _ => ValueTask.FromResult(test.StorageFaults),
                    FaultGenerator = _ => ValueTask.FromResult<Exception?>(new RequestFailedException(503, "Injected by a chaos strategy")),
                    OnFaultInjected = _ =>
                    {
                        Interlocked.Increment(ref test._faultsInjected);
                        return default;
                    },
                })));
        });
        return test;
    }

    public async Task<TestResponse> ListAsync(string query = "", string? ifNoneMatch = null)
    {
        var request = Request("/api/catalog/items", ifNoneMatch);
        request.QueryString = new QueryString(query);
        return await HttpTest.RunAsync(request, await Shop.Function<ListCatalogItemsFunction>().ListCatalogItems(request, CancellationToken.None));
    }

    public async Task<TestResponse> GetAsync(string sku, string? ifNoneMatch = null)
    {
        var request = Request($"/api/catalog/items/{sku}", ifNoneMatch);
        return await HttpTest.RunAsync(request, await Shop.Function<GetCatalogItemFunction>().GetCatalogItem(request, sku, CancellationToken.None));
    }

    public ValueTask DisposeAsync() => Shop.DisposeAsync();

    private static HttpRequest Request(string path, string? ifNoneMatch) =>
        HttpTest.Request(
            "GET",
            path,
            contentType: null,
            headers: ifNoneMatch is null ? null : new Dictionary<string, string> { ["If-None-Match"] = ifNoneMatch });
}
