using System.Text.Json;
using System.Xml.Linq;
using Xunit;

namespace Shop.Functions.Tests.Infra;

/// <summary>
/// infra/app/apim.bicep's API policy as deployed (bicep snapshot): well-formed XML with validate-jwt (Entra ID, the
/// caller forwarded and signed), rate-limit-by-key and CORS when their parameters are set, none of them when not; a
/// client's own caller headers are always removed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class GatewayPolicies
{
    private const string ApiPolicies = "Microsoft.ApiManagement/service/apis/policies";

    [Fact]
    public void WithoutItsParametersThePolicyOnlyStripsCallerHeaders()
    {
        var inbound = Inbound(InfraSnapshot.WithApiManagement);

        Assert.Empty(inbound.Descendants("validate-jwt"));
        Assert.Empty(inbound.Descendants("rate-limit-by-key"));
        Assert.Empty(inbound.Descendants("cors"));
        AssertStripsCallerHeaders(inbound);
        Assert.Equal("Consumption", Service(InfraSnapshot.WithApiManagement).GetProperty("sku").GetProperty("name").GetString());
        Assert.Empty(InfraSnapshot.WithApiManagement.OfType("Microsoft.ApiManagement/service/namedValues"));
        Assert.True(InfraSnapshot.WithApiManagement.AppSettings.ContainsKey("Gateway__CallerSecret"));
    }

    [Fact]
    public void ValidatesEntraIdTokensForTheAudienceAndForwardsTheSignedCaller()
    {
        var inbound = Inbound(InfraSnapshot.WithGatewayPolicies);

        var jwt = Assert.Single(inbound.Descendants("validate-jwt"));
        Assert.Equal("Authorization", jwt.Attribute("header-name")?.Value);
        Assert.Equal("401", jwt.Attribute("failed-validation-httpcode")?.Value);
        Assert.Equal(
            $"https://login.microsoftonline.com/{InfraSnapshot.EntraTenantId}/v2.0/.well-known/openid-configuration",
            jwt.Element("openid-config")?.Attribute("url")?.Value);
        Assert.Equal(InfraSnapshot.EntraAudience, jwt.Element("audiences")?.Element("audience")?.Value);
        Assert.Equal($"https://login.microsoftonline.com/{InfraSnapshot.EntraTenantId}/v2.0", jwt.Element("issuers")?.Element("issuer")?.Value);

        // Writes always need the token: the condition holds for every method but GET and HEAD.
        var condition = jwt.Parent!.Attribute("condition")!.Value;
        Assert.Contains("context.Request.Method != \"GET\"", condition, StringComparison.Ordinal);
        Assert.Contains("context.Request.Method != \"HEAD\"", condition, StringComparison.Ordinal);

        // The caller headers are removed first, then set from the validated token, signed with the named secret.
        AssertStripsCallerHeaders(inbound);
        var sets = jwt.Parent.Elements("set-header").ToDictionary(e => e.Attribute("name")!.Value, e => e.Value);
        Assert.Contains("shopCaller", sets["X-Shop-Caller"], StringComparison.Ordinal);
        Assert.Contains("HMACSHA256", sets["X-Shop-Caller-Signature"], StringComparison.Ordinal);
        Assert.Contains("{{shop-caller-secret}}", sets["X-Shop-Caller-Signature"], StringComparison.Ordinal);
        var secret = Assert.Single(InfraSnapshot.WithGatewayPolicies.OfType("Microsoft.ApiManagement/service/namedValues")).GetProperty("properties");
        Assert.True(secret.GetProperty("secret").GetBoolean());
        // A secure parameter's value is never written out (the snapshot shows the reference to it).
        Assert.StartsWith("[parameters(", secret.GetProperty("value").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("[parameters(", InfraSnapshot.WithGatewayPolicies.AppSettings["Gateway__CallerSecret"], StringComparison.Ordinal);
    }

    [Fact]
    public void LimitsEachCallerOnATierThatHasRateLimitByKey()
    {
        var limit = Assert.Single(Inbound(InfraSnapshot.WithGatewayPolicies).Descendants("rate-limit-by-key"));

        Assert.Equal(InfraSnapshot.RateLimitCallsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture), limit.Attribute("calls")?.Value);
        Assert.Equal("60", limit.Attribute("renewal-period")?.Value);
        Assert.Contains("shopCaller", limit.Attribute("counter-key")?.Value, StringComparison.Ordinal);
        Assert.Contains("IpAddress", limit.Attribute("counter-key")?.Value, StringComparison.Ordinal);
        // Consumption has no rate-limit-by-key.
        Assert.Equal("BasicV2", Service(InfraSnapshot.WithGatewayPolicies).GetProperty("sku").GetProperty("name").GetString());
    }

    [Fact]
    public void AnswersCorsForTheStorefrontOnly()
    {
        var cors = Assert.Single(Inbound(InfraSnapshot.WithGatewayPolicies).Descendants("cors"));

        Assert.Equal(InfraSnapshot.StorefrontOrigin, Assert.Single(cors.Element("allowed-origins")!.Elements("origin")).Value);
        Assert.Contains("Idempotency-Key", cors.Element("allowed-headers")!.Elements("header").Select(h => h.Value));
        Assert.Contains("Location", cors.Element("expose-headers")!.Elements("header").Select(h => h.Value));
        // CORS comes first, so a preflight is answered before anything asks for a token.
        Assert.Equal("cors", Inbound(InfraSnapshot.WithGatewayPolicies).Elements().Skip(1).First().Name.LocalName);
    }

    private static XElement Inbound(InfraSnapshot snapshot)
    {
        var policy = Assert.Single(snapshot.OfType(ApiPolicies)).GetProperty("properties");
        Assert.Equal("rawxml", policy.GetProperty("format").GetString());
        return XDocument.Parse(policy.GetProperty("value").GetString()!).Root!.Element("inbound")!;
    }

    private static JsonElement Service(InfraSnapshot snapshot) => Assert.Single(snapshot.OfType("Microsoft.ApiManagement/service"));

    private static void AssertStripsCallerHeaders(XElement inbound)
    {
        var deletes = inbound.Elements("set-header").Where(e => e.Attribute("exists-action")?.Value == "delete").Select(e => e.Attribute("name")!.Value);
        Assert.Equal(["X-Shop-Caller", "X-Shop-Caller-Signature"], deletes.Order(StringComparer.Ordinal));
    }
}
