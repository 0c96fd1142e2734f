using System.Reflection;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>
/// The usage rules of Microsoft.Azure.Functions.Worker.Extensions.ServiceBus 5.23.0 that the code may rely on
/// (docs/architecture.md, "The Service Bus extension stand-in"). They hold for the real package and for the stand-in in
/// eng/, so a build against either passes them; the stand-in drifting from the real surface fails them.
/// </summary>
public sealed class ServiceBusExtensionSurface
{
    [Fact]
    public void TheOutputAttributeGoesOnMethodsAndPropertiesOnly()
    {
        var usage = typeof(ServiceBusOutputAttribute).GetCustomAttribute<AttributeUsageAttribute>(inherit: true)!;

        Assert.True(usage.ValidOn.HasFlag(AttributeTargets.Method));
        Assert.True(usage.ValidOn.HasFlag(AttributeTargets.Property));
        Assert.False(usage.ValidOn.HasFlag(AttributeTargets.Parameter));
    }

    [Fact]
    public void TheTriggerAttributeGoesOnParametersOnly() =>
        Assert.Equal(AttributeTargets.Parameter, typeof(ServiceBusTriggerAttribute).GetCustomAttribute<AttributeUsageAttribute>(inherit: true)!.ValidOn);

    [Fact]
    public void TheTriggerAttributeNamesAnInputConverter() =>
        Assert.Contains(
            typeof(ServiceBusTriggerAttribute).GetCustomAttributes(inherit: false),
            attribute => attribute.GetType().FullName == "Microsoft.Azure.Functions.Worker.Converters.InputConverterAttribute");

    [Fact]
    public async Task SettlementFaultsItsTaskRatherThanThrowing()
    {
        var actions = new Actions();

        // Each call returns a Task; the argument check is in the Task, as in the real async methods.
        var calls = new Func<Task>[]
        {
            () => actions.CompleteMessageAsync(null!),
            () => actions.AbandonMessageAsync(null!),
            () => actions.DeadLetterMessageAsync(null!),
            () => actions.DeferMessageAsync(null!),
            () => actions.RenewMessageLockAsync(null!),
        };

        foreach (var call in calls)
        {
            var task = call();
            await Assert.ThrowsAsync<ArgumentNullException>(() => task);
        }
    }

    [Fact]
    public void SettlementIsVirtualForMocking()
    {
        var methods = typeof(ServiceBusMessageActions).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.DeclaringType == typeof(ServiceBusMessageActions) && m.GetParameters().FirstOrDefault()?.ParameterType == typeof(ServiceBusReceivedMessage))
            .ToArray();

        Assert.Equal(5, methods.Length);
        Assert.All(methods, m => Assert.True(m.IsVirtual, $"{m.Name} is not virtual."));
    }

    private sealed class Actions : ServiceBusMessageActions;
}
