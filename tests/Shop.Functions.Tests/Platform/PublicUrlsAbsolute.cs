using Microsoft.Extensions.Options;
using Shop.Functions.Platform.Http;
using Shop.Functions.Tests.Infrastructure;
using Xunit;

namespace Shop.Functions.Tests.Platform;

public sealed class PublicUrlsAbsolute
{
    [Fact]
    public void UsesTheRequestHostByDefault()
    {
        var urls = Urls(new PublicUrlOptions());

        Assert.Equal("https://shop.test/api/x", urls.Absolute(Request(("X-Forwarded-Host", "evil.example")), "/api/x"));
    }

    [Fact]
    public void UsesTheConfiguredBaseUrlFirst()
    {
        var urls = Urls(new PublicUrlOptions { BaseUrl = "https://api.contoso.com/", TrustForwardedHeaders = true });

        Assert.Equal("https://api.contoso.com/api/x", urls.Absolute(Request(("X-Forwarded-Host", "gw.example")), "/api/x"));
    }

    [Fact]
    public void UsesTheFirstForwardedHostAndProtoWhenTrusted()
    {
        var urls = Urls(new PublicUrlOptions { TrustForwardedHeaders = true });

        var url = urls.Absolute(Request(("X-Forwarded-Host", "gw.example:8443, internal.local"), ("X-Forwarded-Proto", "http")), "/api/x");

        Assert.Equal("http://gw.example:8443/api/x", url);
    }

    [Theory]
    [InlineData("evil.example/path")]
    [InlineData("user@evil.example")]
    [InlineData("evil.example#frag")]
    [InlineData("bad host")]
    public void IgnoresForwardedHostsThatAreNotHosts(string host)
    {
        var urls = Urls(new PublicUrlOptions { TrustForwardedHeaders = true });

        Assert.Equal("https://shop.test/api/x", urls.Absolute(Request(("X-Forwarded-Host", host)), "/api/x"));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("https://api.contoso.com", true)]
    [InlineData("api.contoso.com", false)]
    [InlineData("https://api.contoso.com/?q=1", false)]
    public void ValidatesTheBaseUrl(string? baseUrl, bool valid) =>
        Assert.Equal(valid, new PublicUrlOptions { BaseUrl = baseUrl }.IsValid());

    private static PublicUrls Urls(PublicUrlOptions options) => new(Options.Create(options));

    private static Microsoft.AspNetCore.Http.HttpRequest Request(params (string Name, string Value)[] headers) =>
        HttpTest.Request("GET", "/api/x", contentType: null, headers: headers.ToDictionary(h => h.Name, h => h.Value));
}
