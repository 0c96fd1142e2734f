using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace Shop.Functions.Tests.Infrastructure;

/// <summary>What a consumer did with its message, read from the mocked settlement API.</summary>
public static class SettlementAssertions
{
    public static void VerifyCompletedOnly(this Mock<ServiceBusMessageActions> actions, ServiceBusReceivedMessage message)
    {
        actions.Verify(a => a.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        actions.VerifyNoOtherCalls();
    }

    /// <summary>Dead-lettered once with <paramref name="reason"/> and a description containing <paramref name="describedAs"/>; nothing else.</summary>
    public static void VerifyDeadLettered(this Mock<ServiceBusMessageActions> actions, ServiceBusReceivedMessage message, string reason, string describedAs)
    {
        actions.Verify(
            a => a.DeadLetterMessageAsync(
                message, It.IsAny<Dictionary<string, object>?>(), reason, It.Is<string?>(d => d!.Contains(describedAs, StringComparison.Ordinal)), It.IsAny<CancellationToken>()),
            Times.Once);
        actions.VerifyNoOtherCalls();
    }
}
