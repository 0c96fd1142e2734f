using Shop.Functions.Orders;
using Xunit;

namespace Shop.Functions.Tests.Orders;

public sealed class OrderIdsTests
{
    private static readonly byte[] Secret = Convert.FromBase64String(Infrastructure.ShopTestServices.TestIdempotencySecret);

    [Fact]
    public void NewRandomGivesWellFormedDistinctIds()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => OrderIds.NewRandom()).ToList();

        Assert.All(ids, id => Assert.True(OrderIds.IsWellFormed(id), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(Uri.EscapeDataString(id), id));
    }

    [Fact]
    public void FromIdempotencyKeyIsStablePerCallerAndKey()
    {
        var first = OrderIds.FromIdempotencyKey(Secret, "caller-a", "key-1");

        Assert.True(OrderIds.IsWellFormed(first));
        Assert.Equal(first, OrderIds.FromIdempotencyKey(Secret, "caller-a", "key-1"));
        Assert.NotEqual(first, OrderIds.FromIdempotencyKey(Secret, "caller-b", "key-1"));
        Assert.NotEqual(first, OrderIds.FromIdempotencyKey(Secret, "caller-a", "key-2"));
        Assert.NotEqual(first, OrderIds.FromIdempotencyKey(new byte[32], "caller-a", "key-1"));
    }

    [Fact]
    public void FromIdempotencyKeyDoesNotConfuseCallerAndKeyBoundaries()
    {
        Assert.NotEqual(
            OrderIds.FromIdempotencyKey(Secret, "ab", "c"),
            OrderIds.FromIdempotencyKey(Secret, "a", "bc"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ord_")]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("ORD_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("ord_AAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("ord_aaaaaaaaaaaaaaaaaaaaaaaaa1")]
    [InlineData("ord_../../../../../etc/passwd")]
    [InlineData("xyz_aaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void IsWellFormedRejectsAnythingElse(string id) => Assert.False(OrderIds.IsWellFormed(id));
}
