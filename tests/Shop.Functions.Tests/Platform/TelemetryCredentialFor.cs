using Azure.Identity;
using Shop.Functions.Platform;
using Xunit;

namespace Shop.Functions.Tests.Platform;

/// <summary>The worker's Application Insights exporter authenticates as the host does (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).</summary>
public sealed class TelemetryCredentialFor
{
    [Theory]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD")]
    [InlineData("Authorization=aad; ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData("Authorization=AAD")]
    public void ReturnsAManagedIdentityCredentialGivenEntraIdAuthorization(string authentication) =>
        Assert.IsType<ManagedIdentityCredential>(Telemetry.CredentialFor(authentication));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ClientId=00000000-0000-0000-0000-000000000001")]
    [InlineData("Authorization=Key")]
    [InlineData("garbage")]
    public void ReturnsNoCredentialOtherwise(string? authentication) =>
        Assert.Null(Telemetry.CredentialFor(authentication));
}
