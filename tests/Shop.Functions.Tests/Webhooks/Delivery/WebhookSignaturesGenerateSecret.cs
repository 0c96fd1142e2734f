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
