using Shop.Functions.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookSignaturesGenerateSecret
{
    [Fact]
    public void ReturnsWhsecAndTheBase64Of32RandomBytes()
    {
        var secret = WebhookSignatures.GenerateSecret();

        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(secret[6..]).Length);
        Assert.True(WebhookSignatures.IsValidSecret(secret));
        Assert.NotEqual(secret, WebhookSignatures.GenerateSecret());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    public void IsValidSecretRejects(string? secret) => Assert.False(WebhookSignatures.IsValidSecret(secret));
}

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
