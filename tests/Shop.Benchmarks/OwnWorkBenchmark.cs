using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Shop.Functions.Tests.Orders;

namespace Shop.Benchmarks;

/// <summary>
/// The function's own work, measured rather than inferred: the submit and a bare insert with a Table client whose
/// HTTP handler answers every request at once (no socket, no Azurite), so each call costs what .NET spends on it: the
/// function's parsing, validation, ids, hashes and response, plus the SDK's building and parsing of its requests. The
/// sequential run's "function's own work" is submit minus its two bare writes, which also counts whatever makes the
/// submit's writes slower than the bare ones; this run bounds that subtraction from below. Prints; asserts nothing.
/// </summary>
public static class OwnWorkBenchmark
{
    public const string Usage = "Usage: dotnet run -c Release --project tests/Shop.Benchmarks -- own-work [--orders N]";

    public static async Task<int> RunAsync(int orders)
    {
        var handler = new InstantTableHandler();
        var transport = new HttpClientTransport(new HttpClient(handler));
        await using var services = await BenchmarkServices.StartAsync("UseDevelopmentStorage=true", tableTransport: transport);
        var body = OrderRequests.ValidJson();
        var floor = services.Tables.GetTableClient("BareInsertFloor");
        TableEntity? row = null;

        var submit = new List<double>(orders);
        var insert = new List<double>(orders);
        for (var round = 0; round < 2; round++)
        {
            // Round 0 warms up (JIT, pools); round 1 is measured.
            submit.Clear();
            insert.Clear();
            for (var i = 0; i < orders; i++)
            {
                var request = BenchmarkServices.NewRequest(body);
                var start = Stopwatch.GetTimestamp();
                var status = await services.SubmitAsync(request);
                submit.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (status != StatusCodes.Status202Accepted)
                {
                    await Console.Error.WriteLineAsync($"A submit against instant storage was answered {status}.");
                    return 1;
                }

                // The floor inserts a copy of the order row the submit wrote (its properties, as the function sent them).
                row ??= handler.FirstOrderRow();
                row.PartitionKey = Guid.NewGuid().ToString("N");
                start = Stopwatch.GetTimestamp();
                await floor.AddEntityAsync(row);
                insert.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            await services.DrainOutboxAsync();
        }

        var s = LatencyStats.Of(submit);
        var b = LatencyStats.Of(insert);
        var trips = services.Counter.Snapshot();
        Console.WriteLine($"Own work, storage answering at once ({orders} orders, sequential, after as many warm-up calls):");
        Console.WriteLine($"  submit (the whole function): p50 {s.P50:F3} ms, p99 {s.P99:F3} ms, mean {s.Mean:F3} ms");
        Console.WriteLine($"  bare insert (the SDK's own cost): p50 {b.P50:F3} ms, p99 {b.P99:F3} ms, mean {b.Mean:F3} ms");
        Console.WriteLine($"  submit minus one bare insert (what the function adds to its one write): p50 {s.P50 - b.P50:F3} ms");
        Console.WriteLine($"  submit minus two bare inserts (the function's work beyond its two writes): p50 {s.P50 - (2 * b.P50):F3} ms");
        Console.WriteLine($"  Table requests answered: {trips.Total}; PlaceOrder sends (both rounds): {services.Sender.Sends} of {2 * orders}");
        return 0;
    }

    /// <summary>
    /// Answers like Azure Table storage would when every write succeeds: 204 with an ETag for writes and table creation
    /// (the SDK asks for no content); for a query, the two catalog items the request orders from <c>Catalog</c> and an
    /// empty page from any other table. The submit makes no point read on this path.
    /// </summary>
    private sealed class InstantTableHandler : HttpMessageHandler
    {
        // The two items the request body orders, as the catalog seed holds them.
        private const string CatalogPage = """
            {"value":[
            {"PartitionKey":"items","RowKey":"SKU-001","Sku":"SKU-001","Name":"Ceramic Pour-Over Dripper","Description":"","Price":"24.90","Currency":"EUR"},
            {"PartitionKey":"items","RowKey":"SKU-002","Sku":"SKU-002","Name":"Paper Filters 02 (100 pcs)","Description":"","Price":"5.50","Currency":"EUR"}]}
            """;

        private string? _orderRowJson;

        /// <summary>The first order row the submit inserted, its properties as strings, numbers and booleans.</summary>
        public TableEntity FirstOrderRow()
        {
            using var json = JsonDocument.Parse(_orderRowJson ?? throw new InvalidOperationException("No order row was inserted."));
            var entity = new TableEntity();
            foreach (var property in json.RootElement.EnumerateObject().Where(p => !p.Name.Contains("@odata", StringComparison.Ordinal)))
            {
                entity[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.Number => property.Value.GetDouble(),
                    JsonValueKind.True or JsonValueKind.False => property.Value.GetBoolean(),
                    _ => property.Value.ToString(),
                };
            }

            return entity;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_orderRowJson is null && request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath == "/devstoreaccount1/Orders" && request.Content is not null)
            {
                _orderRowJson = await request.Content.ReadAsStringAsync(cancellationToken);
            }

            var page = request.RequestUri!.AbsolutePath.StartsWith("/devstoreaccount1/Catalog", StringComparison.Ordinal) ? CatalogPage : "{\"value\":[]}";
            var response = request.Method == HttpMethod.Get
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(page, Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NoContent);
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"1\"", isWeak: true);
            response.Headers.Date = DateTimeOffset.UtcNow;
            response.RequestMessage = request;
            return response;
        }
    }
}
