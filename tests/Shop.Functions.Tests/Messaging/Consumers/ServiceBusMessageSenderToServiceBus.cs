using Shop.Functions.Messaging;
using Xunit;

namespace Shop.Functions.Tests.Messaging.Consumers;

/// <summary>What a retry copy needs from the sender: a scheduled time and application properties.</summary>
public sealed class ServiceBusMessageSenderToServiceBus
{
    private static readonly OutgoingMessage Plain =
        new(Queues.PlaceOrder, "PlaceOrder:ord_1", "PlaceOrder", "ord_1", BinaryData.FromString("""{"orderId":"ord_1"}"""));

    [Fact]
    public void MapsAPlainMessageAsBefore()
    {
        var message = ServiceBusMessageSender.ToServiceBus(Plain);

        Assert.Equal("PlaceOrder:ord_1", message.MessageId);
        Assert.Equal("PlaceOrder", message.Subject);
        Assert.Equal("ord_1", message.CorrelationId);
        Assert.Equal(OutgoingMessage.JsonContentType, message.ContentType);
        Assert.Equal(default, message.ScheduledEnqueueTime);
        Assert.Empty(message.ApplicationProperties);
    }

    [Fact]
    public void MapsTheScheduleAndApplicationProperties()
    {
        var at = new DateTimeOffset(2030, 6, 1, 12, 0, 10, TimeSpan.Zero);
        var message = ServiceBusMessageSender.ToServiceBus(Plain with
        {
            ScheduledEnqueueTime = at,
            ApplicationProperties = new Dictionary<string, object> { ["attempt"] = 2, ["retryFor"] = "catalog" },
            ContentType = null,
        });

        Assert.Equal(at, message.ScheduledEnqueueTime);
        Assert.Equal(2, message.ApplicationProperties["attempt"]);
        Assert.Equal("catalog", message.ApplicationProperties["retryFor"]);
        Assert.Null(message.ContentType);
    }

    [Fact]
    public void LeavesOutAnEmptyCorrelationId() =>
        Assert.Null(ServiceBusMessageSender.ToServiceBus(Plain with { CorrelationId = string.Empty }).CorrelationId);
}
