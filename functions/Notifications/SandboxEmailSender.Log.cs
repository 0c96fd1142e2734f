using Microsoft.Extensions.Logging;

namespace Shop.Functions.Notifications;

/// <summary>What the sandbox tells operators: order ids, event types, blob names. Never an address, a name or a body.</summary>
public sealed partial class SandboxEmailSender
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mails are SIMULATED by the sandbox sender: written to blob container {Container}, never delivered. Set Email:Provider to a real provider before e-mailing customers")]
    private partial void LogSimulated(string container);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId}: {EventType} e-mail {BlobName} written: {Written}")]
    private partial void LogWritten(string orderId, string eventType, string blobName, bool written);
}
