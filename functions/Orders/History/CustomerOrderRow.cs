using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Shop.Functions.Orders.History;

/// <summary>
/// One order of a customer account, in the <c>CustomerOrders</c> table: PartitionKey = <see cref="PartitionFor"/> of the
/// account (the caller the gateway vouched for at submit), RowKey = <see cref="RowKeyFor"/> (newest first, then the order id), so a page of an
/// account's history is one range query of its partition.
/// </summary>
public sealed class CustomerOrderRow : ITableEntity
{
    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string OrderId { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// The account as a key: hex SHA-256, because a caller is any text up to 128 characters and a PartitionKey may not
    /// hold '/', '\', '#', '?' or control characters (an insert with one would fail the saga's step on every retry).
    /// </summary>
    public static string PartitionFor(string account) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(account)));

    /// <summary>Ticks to the end of time (19 digits) then the order id: a later order sorts first, and the key is stable.</summary>
    public static string RowKeyFor(DateTimeOffset createdAt, string orderId) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks:D19}|{orderId}");
}
