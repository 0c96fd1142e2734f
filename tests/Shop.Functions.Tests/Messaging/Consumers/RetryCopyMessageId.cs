using Shop.Functions.Messaging.Consumers;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>Retry copies need ids that duplicate detection keeps, and that Service Bus accepts (128 characters).</summary>
public sealed class RetryCopyMessageId
{
    [Fact]
    public void AppendsTheAttempt() =>
        Assert.Equal("PlaceOrder:ord_1#retry2", RetryCopy.MessageId("PlaceOrder:ord_1", null, 2));

    [Fact]
    public void NamesTheSubscription() =>
        Assert.Equal("OrderCompleted:ord_1:7#catalog#retry4", RetryCopy.MessageId("OrderCompleted:ord_1:7", "catalog", 4));

    [Fact]
    public void StaysWithinServiceBusLimitAndDistinctGivenALongId()
    {
        var longId = new string('a', 200);
        var otherLongId = new string('a', 199) + "b";

        var id = RetryCopy.MessageId(longId, "notifications", 6);

        Assert.InRange(id.Length, 1, 128);
        Assert.StartsWith("aaaa", id, StringComparison.Ordinal);
        Assert.EndsWith("#notifications#retry6", id, StringComparison.Ordinal);
        Assert.Equal(id, RetryCopy.MessageId(longId, "notifications", 6));
        Assert.NotEqual(id, RetryCopy.MessageId(otherLongId, "notifications", 6));
    }
}
