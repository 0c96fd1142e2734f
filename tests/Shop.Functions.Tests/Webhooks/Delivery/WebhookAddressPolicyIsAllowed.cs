using System.Net;
using Shop.Functions.Webhooks.Delivery;
using Xunit;

namespace Shop.Functions.Tests.Webhooks.Delivery;

public sealed class WebhookAddressPolicyIsAllowed
{
    [Theory]
    // address, allowed, allowed when loopback is allowed
    [InlineData("8.8.8.8", true, true)]
    [InlineData("93.184.216.34", true, true)]
    [InlineData("100.128.0.1", true, true)]
    [InlineData("172.32.0.1", true, true)]
    [InlineData("172.15.255.255", true, true)]
    [InlineData("127.0.0.1", false, true)]
    [InlineData("127.255.255.254", false, true)]
    [InlineData("10.0.0.1", false, false)]
    [InlineData("10.255.255.255", false, false)]
    [InlineData("172.16.0.1", false, false)]
    [InlineData("172.31.255.255", false, false)]
    [InlineData("192.168.1.1", false, false)]
    [InlineData("169.254.169.254", false, false)]
    [InlineData("169.254.1.1", false, false)]
    [InlineData("100.64.0.1", false, false)]
    [InlineData("100.127.255.255", false, false)]
    [InlineData("100.100.100.200", false, false)]
    [InlineData("0.0.0.0", false, false)]
    [InlineData("0.1.2.3", false, false)]
    [InlineData("224.0.0.1", false, false)]
    [InlineData("239.255.255.250", false, false)]
    [InlineData("255.255.255.255", false, false)]
    [InlineData("240.0.0.1", false, false)]
    [InlineData("2606:4700:4700::1111", true, true)]
    [InlineData("2001:db8::1", false, false)]
    [InlineData("168.63.129.16", false, false)]
    [InlineData("168.63.129.17", true, true)]
    [InlineData("192.0.2.1", false, false)]
    [InlineData("198.51.100.7", false, false)]
    [InlineData("203.0.113.200", false, false)]
    [InlineData("::ffff:168.63.129.16", false, false)]
    [InlineData("2001:0:4136:e378:8000:63bf:f7f7:f7f7", true, true)] // Teredo: server 65.54.227.120, client 8.8.8.8
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", false, false)] // client 10.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:5601:5601", false, false)] // client 169.254.169.254
    [InlineData("2001:0:4136:e378:8000:63bf:80ff:fffe", false, true)] // client 127.0.0.1
    [InlineData("2001:0:a9fe:a9fe:8000:63bf:f7f7:f7f7", false, false)] // server 169.254.169.254
    [InlineData("2001:0:a83f:8110:8000:63bf:f7f7:f7f7", false, false)] // server 168.63.129.16
    [InlineData("::1", false, true)]
    [InlineData("::", false, false)]
    [InlineData("fe80::1", false, false)]
    [InlineData("febf::1", false, false)]
    [InlineData("fc00::1", false, false)]
    [InlineData("fd00::1", false, false)]
    [InlineData("fd00:ec2::254", false, false)]
    [InlineData("ff02::1", false, false)]
    [InlineData("::ffff:8.8.8.8", true, true)]
    [InlineData("::ffff:127.0.0.1", false, true)]
    [InlineData("::ffff:10.0.0.1", false, false)]
    [InlineData("::ffff:172.16.0.1", false, false)]
    [InlineData("::ffff:192.168.1.1", false, false)]
    [InlineData("::ffff:169.254.169.254", false, false)]
    [InlineData("::ffff:100.100.100.200", false, false)]
    [InlineData("::ffff:0.0.0.0", false, false)]
    [InlineData("::10.0.0.1", false, false)]
    [InlineData("::169.254.169.254", false, false)]
    [InlineData("::8.8.8.8", true, true)]
    [InlineData("64:ff9b::10.0.0.1", false, false)]
    [InlineData("64:ff9b::8.8.8.8", true, true)]
    [InlineData("64:ff9b:1::1", false, false)]
    [InlineData("2002:a9fe:a9fe::1", false, false)]
    [InlineData("2002:808:808::1", true, true)]
    public void JudgesTheAddress(string address, bool allowed, bool allowedWithLoopback)
    {
        var ip = IPAddress.Parse(address);

        Assert.Equal(allowed, WebhookAddressPolicy.IsAllowed(ip, allowLoopback: false));
        Assert.Equal(allowedWithLoopback, WebhookAddressPolicy.IsAllowed(ip, allowLoopback: true));
    }

    [Theory]
    [InlineData("10.0.0.1", "private (10.0.0.0/8)")]
    [InlineData("169.254.169.254", "cloud metadata (169.254.169.254/32)")]
    [InlineData("fd00:ec2::254", "cloud metadata (fd00:ec2::254/128)")]
    [InlineData("::ffff:192.168.1.1", "private (192.168.0.0/16) inside ::ffff:192.168.1.1")]
    [InlineData("168.63.129.16", "Azure platform (WireServer) (168.63.129.16/32)")]
    [InlineData("2001:db8::1", "documentation (2001:db8::/32)")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "private (10.0.0.0/8) inside 2001:0:4136:e378:8000:63bf:f5ff:fffe")]
    public void SaysWhy(string address, string reason) =>
        Assert.Equal(reason, WebhookAddressPolicy.WhyForbidden(IPAddress.Parse(address), allowLoopback: false));

    [Fact]
    public void UnwrapsAnIPv4MappedAddressToConnect() =>
        Assert.Equal(IPAddress.Parse("8.8.8.8"), WebhookAddressPolicy.Normalize(IPAddress.Parse("::ffff:8.8.8.8")));
}
