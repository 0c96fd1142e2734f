using System.Globalization;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using Shop.Functions.Messaging;
using Shop.Functions.Notifications;
using Shop.Functions.Notifications.Sending;
using Shop.Functions.Orders;
using Shop.Functions.Orders.Events;
using Shop.Functions.Platform;
using Shop.Functions.Tests.Infrastructure;

namespace Shop.Functions.Tests.Notifications;

/// <summary>
/// The app's services against Azurite with a fixed clock; order rows put straight into the Orders table (so a test
/// can give the customer any name); order events and e-mail commands as their consumers receive them; and the
/// sandbox's e-mails read back from blob storage.
/// </summary>
internal static class NotificationsTest
{
    public const string Email = "ada@example.com";
    public const string Name = "Ada Lovelace";
    public const string PaymentToken = "tok_visa_secret_123";
    public const string ChargeId = "ch_secret_456";

    public static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static Task<ShopTestServices> StartAsync(string storageConnectionString, IDictionary<string, string?>? settings = null) =>
        ShopTestServices.StartAsync(
            storageConnectionString,
            settings,
            services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FixedClock(Now))));

    /// <summary>The shared Azurite with its blob endpoint on a port nobody listens on: blob storage that is down.</summary>
    public static string BlobsUnreachable(AzuriteFixture azurite)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        return azurite.ConnectionString.Replace($":{azurite.Server.BlobPort}/", $":{closedPort}/", StringComparison.Ordinal);
    }

    /// <summary>A new order row with a customer, a payment token and a charge (which no e-mail may show).</summary>
    public static async Task<OrderRow> AddOrderAsync(this ShopTestServices shop, string name = Name, string email = Email, long sequence = 5)
    {
        var order = new OrderRow
        {
            PartitionKey = OrderIds.NewRandom(),
            Status = OrderStatuses.Processing,
            Sequence = sequence,
            CustomerId = "cust-42",
            CustomerEmail = email,
            CustomerName = name,
            PaymentMethod = "card",
            PaymentToken = PaymentToken,
            ChargeId = ChargeId,
            CreatedAt = Now,
            UpdatedAt = Now,
        };
        await shop.OrdersTable.AddEntityAsync(order);
        return order;
    }

    public static OrderEvent Event(string eventType, string orderId, long sequence = 3, OrderEventData? data = null) =>
        new($"{eventType}:{orderId}:{sequence}", eventType, orderId, Now, data ?? new OrderEventData(orderId, sequence, OrderStatuses.Processing));

    /// <summary>The event as the <c>notifications</c> subscription delivers it.</summary>
    public static ServiceBusReceivedMessage Received(OrderEvent orderEvent, IDictionary<string, object>? properties = null) =>
        ServiceBusMessages.Received(
            BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(orderEvent, ShopJsonContext.Default.OrderEvent)),
            orderEvent.Type,
            orderEvent.Id,
            orderEvent.Data.OrderId,
            properties);

    public static SendEmail Command(string orderId, string eventType = OrderEventTypes.OrderAccepted, string to = Email, string toName = Name) =>
        new(orderId, eventType, to, toName, $"We have received your order {orderId}", "Hello Ada,\n\nThank you.\n");

    /// <summary>The SendEmail commands the app sent for an order.</summary>
    public static IReadOnlyList<OutgoingMessage> EmailCommands(this ShopTestServices shop, string orderId) =>
        shop.Sender.SentFor(orderId).Where(message => message.Destination == Queues.SendEmail).ToList();

    public static SendEmail Read(OutgoingMessage command) =>
        JsonSerializer.Deserialize(command.Body.ToMemory().Span, ShopJsonContext.Default.SendEmail)!;

    public static BlobContainerClient SentEmails(this ShopTestServices shop) =>
        shop.Get<BlobServiceClient>().GetBlobContainerClient(SandboxEmailSender.ContainerName);

    /// <summary>The names of the order's e-mail blobs; none when the container does not exist yet.</summary>
    public static async Task<List<string>> EmailBlobsAsync(this ShopTestServices shop, string orderId)
    {
        var container = shop.SentEmails();
        if (!await container.ExistsAsync())
        {
            return [];
        }

        var blobs = await container.GetBlobsAsync(new GetBlobsOptions { Prefix = orderId + "/" }).ToListAsync();
        return blobs.Select(blob => blob.Name).ToList();
    }

    public static async Task<(Eml Eml, BlobProperties Properties)> ReadEmailAsync(this ShopTestServices shop, string orderId, string eventType)
    {
        var blob = shop.SentEmails().GetBlobClient(SandboxEmailSender.BlobNameFor(orderId, eventType));
        var content = await blob.DownloadContentAsync();
        return (Eml.Parse(content.Value.Content.ToString()), (await blob.GetPropertiesAsync()).Value);
    }

    public static string Rfc5322Date(DateTimeOffset date) =>
        date.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
