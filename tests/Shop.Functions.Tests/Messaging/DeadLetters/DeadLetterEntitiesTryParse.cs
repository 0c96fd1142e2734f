using System.Reflection;
using Shop.Functions.Messaging;
using Shop.Functions.Messaging.Consumers;
using Shop.Functions.Messaging.DeadLetters;
using Xunit;

namespace Shop.Functions.Tests.Messaging.DeadLetters;

public sealed class DeadLetterEntitiesTryParse
{
    [Fact]
    public void AcceptsEveryQueueAndSubscriptionOfTheDesign()
    {
        foreach (var queue in Constants(typeof(Queues)))
        {
            Assert.True(DeadLetterEntities.TryParse(queue, out var entity), queue);
            Assert.Equal(ConsumerEntity.Queue(queue), entity);
        }

        foreach (var subscription in Constants(typeof(Subscriptions)))
        {
            Assert.True(DeadLetterEntities.TryParse($"{Topics.OrderEvents}~{subscription}", out var entity), subscription);
            Assert.Equal(ConsumerEntity.ForSubscription(Topics.OrderEvents, subscription), entity);
        }
    }

    [Fact]
    public void IgnoresCaseAndAnswersTheDesignedNames()
    {
        Assert.True(DeadLetterEntities.TryParse("Order-Events~CATALOG", out var entity));

        Assert.Equal("order-events~catalog", DeadLetterEntities.RouteValueOf(entity));
        Assert.Equal("order-events/subscriptions/catalog", entity.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("orders")]
    [InlineData("order-events")]
    [InlineData("order-events~")]
    [InlineData("order-events~warehouse")]
    [InlineData("order-events/subscriptions/catalog")]
    [InlineData("place-order~catalog")]
    [InlineData("catalog")]
    [InlineData("place-order/$deadletterqueue")]
    public void RejectsAnythingElse(string routeValue) =>
        Assert.False(DeadLetterEntities.TryParse(routeValue, out _));

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => (string)field.GetRawConstantValue()!);
}
