using Shop.Functions.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookSignaturesSign
{
    [Fact]
    public void ThrowsWithoutSecrets() =>
        Assert.Throws<ArgumentException>(() => WebhookSignatures.Sign("msg_1", DateTimeOffset.UtcNow, "{}", []));

    [Fact]
    public void ThrowsForAMalformedSecretWithoutShowingIt()
    {
        const string Bad = "whsec_tooshort";

        var ex = Assert.Throws<ArgumentException>(() => WebhookSignatures.Sign("msg_1", DateTimeOffset.UtcNow, "{}", [WebhookDeliveryTest.Secret, Bad]));

        Assert.DoesNotContain("tooshort", ex.Message, StringComparison.Ordinal);
        Assert.Contains("secret 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JoinsOneV1SignaturePerSecretWithSpaces()
    {
        var header = WebhookSignatures.Sign("msg_1", DateTimeOffset.UtcNow, "{}", [WebhookDeliveryTest.Secret, WebhookDeliveryTest.OtherSecret]);

        var parts = header.Split(' ');
        Assert.Equal(2, parts.Length);
        Assert.All(parts, p => Assert.Equal(32, Convert.FromBase64String(p["v1,".Length..]).Length));
        Assert.NotEqual(parts[0], parts[1]);
    }
}
