using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Shop.Functions.Platform;

namespace Shop.Functions.Webhooks;

/// <summary>
/// Subscription ids (<c>whk_</c> + 26 base32 characters, random) and delivery ids. A delivery id is deterministic:
/// the same event for the same subscription always has the same id, so a resent fan-out is a duplicate that
/// Service Bus drops and the delivery log absorbs. It starts with the event's time reversed, so a subscription's
/// deliveries list newest first in key order: <c>dlv_</c> + 19 digits + <c>_</c> + 20 base32 characters.
/// </summary>
public static class WebhookIds
{
    public const string SubscriptionPrefix = "whk_";
    public const string DeliveryPrefix = "dlv_";
    private const int SubscriptionIdLength = 30;
    private const int DeliveryIdLength = 44;
    private static readonly SearchValues<char> Base32Chars = SearchValues.Create(Base32.Alphabet);

    public static string NewSubscriptionId() => SubscriptionPrefix + Base32.Encode(RandomNumberGenerator.GetBytes(16));

    public static string DeliveryId(string subscriptionId, string eventId, DateTimeOffset eventTime)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{subscriptionId}\n{eventId}"), hash);
        var reversedTicks = DateTimeOffset.MaxValue.UtcTicks - eventTime.UtcTicks;
        return $"{DeliveryPrefix}{reversedTicks:D19}_{Base32.Encode(hash[..12])}";
    }

    public static bool IsSubscriptionId(string? id) =>
        id is { Length: SubscriptionIdLength }
        && id.StartsWith(SubscriptionPrefix, StringComparison.Ordinal)
        && id.AsSpan(SubscriptionPrefix.Length).IndexOfAnyExcept(Base32Chars) < 0;

    public static bool IsDeliveryId(string? id) =>
        id is { Length: DeliveryIdLength }
        && id.StartsWith(DeliveryPrefix, StringComparison.Ordinal)
        && id.AsSpan(DeliveryPrefix.Length, 19).IndexOfAnyExceptInRange('0', '9') < 0
        && id[DeliveryPrefix.Length + 19] == '_'
        && id.AsSpan(DeliveryPrefix.Length + 20).IndexOfAnyExcept(Base32Chars) < 0;
}
