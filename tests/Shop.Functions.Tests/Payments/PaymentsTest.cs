using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Shop.Functions.Orders;
using Shop.Functions.Payments;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Payments;

/// <summary>The app's services with payments added, against Azurite, and helpers to read the sandbox's rows.</summary>
internal static class PaymentsTest
{
    public const string Currency = "EUR";
    public const decimal Amount = 42.50m;

    public static async Task<ShopTestServices> StartAsync(
        AzuriteFixture azurite,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null)
    {
        var shop = await ShopTestServices.StartAsync(azurite.ConnectionString, settings, services =>
        {
            configure?.Invoke(services);
            services.AddPayments();
        });
        await shop.Tables.CreateTableIfNotExistsAsync(SandboxPaymentGateway.TableName);
        return shop;
    }

    public static ChargeRequest Charge(string orderId, string token = "tok_visa", decimal amount = Amount) =>
        new(orderId, token, amount, Currency);

    public static RefundRequest Refund(string orderId, string chargeId, decimal amount = Amount) =>
        new(orderId, chargeId, amount, Currency);

    /// <summary>A new order that was charged successfully.</summary>
    public static async Task<(string OrderId, ChargeResult.Captured Charge)> ChargedOrderAsync(IPaymentGateway gateway)
    {
        var orderId = OrderIds.NewRandom();
        var charge = Assert.IsType<ChargeResult.Captured>(await gateway.ChargeAsync(Charge(orderId), CancellationToken.None));
        return (orderId, charge);
    }

    /// <summary>The row keys of the order's partition in the sandbox table, in key order.</summary>
    public static async Task<List<string>> RowKeysAsync(this ShopTestServices shop, string orderId)
    {
        var table = shop.Tables.GetTableClient(SandboxPaymentGateway.TableName);
        var rows = await table.QueryAsync<TableEntity>(e => e.PartitionKey == orderId).ToListAsync();
        return rows.Select(row => row.RowKey).ToList();
    }
}
