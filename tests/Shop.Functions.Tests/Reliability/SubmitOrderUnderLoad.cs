using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Messaging;
using Shop.Functions.Orders;
using Shop.Functions.Orders.SubmitOrder;
using Shop.Functions.Tests.Infrastructure;
using Shop.Functions.Tests.Orders;
using Xunit;
using Xunit.Abstractions;

namespace Shop.Functions.Tests.Reliability;

/// <summary>
/// Issue 9, load: 1,000 submissions through SubmitOrder against Azurite, 64 at a time, 100 of them spread over 10
/// idempotency keys (identical bodies per key), the others with a key each. The clients behave as real ones: a 503
/// (storage too slow or a breaker open, which a correct system may answer under load) is retried with the same key
/// after its Retry-After (shortened here). The outcome is exactly once: every submission ends 202, one order per key
/// with identical answers, one PlaceOrder per order, and nothing else in storage moves (submissions do not touch stock
/// or the catalog). Throughput, latency and the 503s retried are printed as figures, not asserted.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SubmitOrderUnderLoad(AzuriteFixture azurite, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Submissions = 1_000;
    private const int SharedKeys = 10;
    private const int PerSharedKey = 10;
    private const int Parallelism = 64;
    // A client gives up after this many 503s in a row; a correct system under this load answers far sooner.
    private const int MaxAttempts = 30;

    private ShopTestServices _shop = null!;

    public async Task InitializeAsync() => _shop = await ShopTestServices.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _shop.DisposeAsync();

    [Fact]
    public async Task AcceptsEveryOrderOnceGivenAThousandConcurrentSubmissionsWithSharedKeys()
    {
        var run = Guid.NewGuid().ToString("N")[..12];
        var customer = $"load-{run}";
        var keyOf = new Dictionary<int, string>();
        for (var i = 0; i < SharedKeys * PerSharedKey; i++)
        {
            keyOf[i * (Submissions / (SharedKeys * PerSharedKey))] = $"{run}-shared-{i % SharedKeys}"; // spread through the run
        }

        var bodies = Enumerable.Range(0, SharedKeys).ToDictionary(k => $"{run}-shared-{k}", k => Body(customer, quantity: 1 + k));
        var before = await StorageSnapshot.TakeAsync(azurite.ConnectionString);
        var sentBefore = _shop.Sender.Sent.Count;
        var results = new ConcurrentBag<(int Index, string? Key, int Status, string Body, double Milliseconds)>();
        var retried = 0;

        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Submissions), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, ct) =>
        {
            var shared = keyOf.GetValueOrDefault(i);
            var key = shared ?? $"{run}-own-{i}";
            var body = shared is null ? Body(customer, quantity: 1 + (i % 100)) : bodies[shared];
            var headers = new Dictionary<string, string> { [SubmitOrderFunction.IdempotencyKeyHeader] = key };
            var started = Stopwatch.GetTimestamp();
            TestResponse response;
            for (var attempt = 1; ; attempt++)
            {
                var request = HttpTest.Request("POST", "/api/orders", body, headers: headers);
                response = await HttpTest.RunAsync(request, await _shop.Function<SubmitOrderFunction>().SubmitOrder(request, ct));
                if (response.Status != StatusCodes.Status503ServiceUnavailable || attempt == MaxAttempts)
                {
                    break;
                }

                // Retry-After says seconds; a tenth of it keeps the test short and still backs off.
                Interlocked.Increment(ref retried);
                var retryAfter = int.TryParse(response.Header("Retry-After"), out var seconds) ? seconds : 1;
                await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Max(1, retryAfter)), ct);
            }

            results.Add((i, shared, response.Status, response.Body, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        });
        clock.Stop();
        await _shop.Get<OutboxRelay>().DrainAsync();

        Assert.Equal(Submissions, results.Count);
        Assert.All(results, r => Assert.Equal(StatusCodes.Status202Accepted, r.Status));
        var perKey = results.Where(r => r.Key is not null).GroupBy(r => r.Key!).ToList();
        Assert.Equal(SharedKeys, perKey.Count);
        Assert.All(perKey, group => Assert.Single(group.Select(r => r.Body).Distinct()));
        var orderIds = results.Select(r => JsonOrderId(r.Body)).Distinct().ToList();
        var expectedOrders = Submissions - (SharedKeys * PerSharedKey) + SharedKeys;
        Assert.Equal(expectedOrders, orderIds.Count);

        var rows = await _shop.OrdersTable.QueryAsync<OrderRow>(o => o.CustomerId == customer).ToListAsync();
        Assert.Equal(expectedOrders, rows.Count);
        Assert.Equal(orderIds.Order(StringComparer.Ordinal), rows.Select(o => o.OrderId).Order(StringComparer.Ordinal));
        var placed = _shop.Sender.Sent.Skip(sentBefore).ToList();
        Assert.Equal(expectedOrders, placed.Count);
        Assert.Equal(expectedOrders, placed.Select(m => m.MessageId).Distinct().Count());
        Assert.All(placed, m => Assert.Equal(Queues.PlaceOrder, m.Destination));

        // Only the new orders' rows and their open-orders entries were written: no stock reserved, no catalog row, no other
        // table touched.
        var changes = (await StorageSnapshot.TakeAsync(azurite.ConnectionString)).ChangesSince(before);
        Assert.DoesNotContain(changes, change => !change.StartsWith("added row Orders ord_", StringComparison.Ordinal)
            && !change.StartsWith("added row OpenOrders open-", StringComparison.Ordinal));
        // Counted for this run's orders only: the other classes of the collection share this Azurite, and a write their
        // background work makes to an order of theirs during this run (seen once: 10 rows more) is not this test's.
        var ours = orderIds.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(
            orderIds.Select(id => $"added row Orders {id} {OrderRow.OrderRowKey}").Order(StringComparer.Ordinal),
            changes.Where(c => c.StartsWith("added row Orders ", StringComparison.Ordinal) && ours.Contains(c.Split(' ')[3])).Order(StringComparer.Ordinal));
        Assert.Equal(
            expectedOrders,
            changes.Count(c => c.StartsWith("added row OpenOrders open-", StringComparison.Ordinal) && ours.Contains(c.Split(' ')[^1])));

        Report(results.Select(r => r.Milliseconds).Order().ToArray(), clock.Elapsed, expectedOrders);
        output.WriteLine($"503s answered and retried with the same key: {retried}");
    }

    private static string JsonOrderId(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("orderId").GetString()!;

    private static string Body(string customer, int quantity) => OrderRequests.With(body =>
    {
        body["customer"]!["id"] = customer;
        body["items"]![0]!["quantity"] = quantity;
    });

    private void Report(double[] sorted, TimeSpan elapsed, int orders)
    {
        double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];
        output.WriteLine($"{sorted.Length} submissions, {Parallelism} at a time, {orders} orders ({SharedKeys} keys shared by {PerSharedKey} requests each) in {elapsed.TotalSeconds:F1} s: " +
            $"{sorted.Length / elapsed.TotalSeconds:F0} requests/s");
        output.WriteLine($"latency ms: p50 {Percentile(50):F1}, p90 {Percentile(90):F1}, p99 {Percentile(99):F1}, max {sorted[^1]:F1}");
        output.WriteLine($"{Environment.ProcessorCount} CPUs; Azurite in memory on the same machine; Service Bus in memory");
    }
}
