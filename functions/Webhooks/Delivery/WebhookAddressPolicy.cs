using System.Net;
using System.Net.Sockets;

namespace Shop.Functions.Webhooks.Delivery;

/// <summary>
/// Which IP addresses a webhook may be sent to: public unicast only. Forbidden are loopback, private, link-local,
/// unique-local, carrier-grade NAT, cloud metadata, Azure's platform address (168.63.129.16), "this network",
/// documentation (TEST-NET-1/2/3, <c>2001:db8::/32</c>), unspecified, multicast, broadcast and reserved ranges, also when
/// wrapped in IPv6 (IPv4-mapped <c>::ffff:a.b.c.d</c>, IPv4-compatible <c>::a.b.c.d</c>, NAT64 <c>64:ff9b::/96</c>, 6to4
/// <c>2002::/16</c>, Teredo <c>2001::/32</c>: its server and its client address). Loopback alone can be allowed, for
/// local development.
/// </summary>
public static class WebhookAddressPolicy
{
    // The first match names the reason, so the narrow metadata entries come before their wider ranges.
    private static readonly Range[] V4 =
    [
        new("169.254.169.254/32", "cloud metadata"),
        new("100.100.100.200/32", "cloud metadata"),
        new("168.63.129.16/32", "Azure platform (WireServer)"),
        new("255.255.255.255/32", "broadcast"),
        new("0.0.0.0/8", "'this network'"),
        new("10.0.0.0/8", "private"),
        new("100.64.0.0/10", "carrier-grade NAT"),
        new("127.0.0.0/8", "loopback", IsLoopback: true),
        new("169.254.0.0/16", "link-local"),
        new("172.16.0.0/12", "private"),
        new("192.0.0.0/24", "IETF protocol assignments"),
        new("192.0.2.0/24", "documentation (TEST-NET-1)"),
        new("192.168.0.0/16", "private"),
        new("198.18.0.0/15", "benchmarking"),
        new("198.51.100.0/24", "documentation (TEST-NET-2)"),
        new("203.0.113.0/24", "documentation (TEST-NET-3)"),
        new("224.0.0.0/4", "multicast"),
        new("240.0.0.0/4", "reserved"),
    ];

    private static readonly Range[] V6 =
    [
        new("::/128", "unspecified"),
        new("::1/128", "loopback", IsLoopback: true),
        new("fd00:ec2::254/128", "cloud metadata"),
        new("64:ff9b:1::/48", "NAT64 local use"),
        new("2001:db8::/32", "documentation"),
        new("fc00::/7", "unique-local"),
        new("fe80::/10", "link-local"),
        new("fec0::/10", "site-local"),
        new("ff00::/8", "multicast"),
    ];

    private static readonly Range Nat64 = new("64:ff9b::/96", "NAT64");
    private static readonly Range SixToFour = new("2002::/16", "6to4");
    private static readonly Range Teredo = new("2001::/32", "Teredo");

    /// <summary>Null when <paramref name="address"/> may be called; otherwise why not, e.g. "private (10.0.0.0/8)".</summary>
    public static string? WhyForbidden(IPAddress address, bool allowLoopback)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return Check(V4, bytes, allowLoopback);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }

        var direct = Check(V6, bytes, allowLoopback);
        if (direct is not null)
        {
            return direct;
        }

        // An IPv4 address inside an IPv6 one reaches that IPv4 address: judge the IPv4 address.
        foreach (var embedded in EmbeddedIPv4(address, bytes))
        {
            var inner = Check(V4, embedded, allowLoopback);
            if (inner is not null)
            {
                return $"{inner} inside {address}";
            }
        }

        return null;
    }

    public static bool IsAllowed(IPAddress address, bool allowLoopback) => WhyForbidden(address, allowLoopback) is null;

    /// <summary>The address to connect to: an IPv4-mapped IPv6 address as plain IPv4, anything else as it is.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private static IEnumerable<byte[]> EmbeddedIPv4(IPAddress address, byte[] bytes)
    {
        if (address.IsIPv4MappedToIPv6 || Nat64.Contains(bytes) || IsIPv4Compatible(bytes))
        {
            return [bytes[12..16]];
        }

        if (SixToFour.Contains(bytes))
        {
            return [bytes[2..6]];
        }

        // Teredo (RFC 4380): the server's IPv4 address in bits 32-63, the client's, inverted, in the last 32 bits.
        return Teredo.Contains(bytes) ? [bytes[4..8], [.. bytes[12..16].Select(b => (byte)~b)]] : [];
    }

    // ::a.b.c.d (deprecated, but some stacks still route it); not :: and ::1, which are IPv6's own.
    private static bool IsIPv4Compatible(byte[] bytes)
    {
        var firstNonZero = bytes.AsSpan(0, 15).IndexOfAnyExcept((byte)0);
        return firstNonZero >= 12 || (firstNonZero < 0 && bytes[15] > 1);
    }

    private static string? Check(Range[] ranges, byte[] bytes, bool allowLoopback)
    {
        foreach (var range in ranges)
        {
            if (range.Contains(bytes))
            {
                return range.IsLoopback && allowLoopback ? null : $"{range.Reason} ({range.Cidr})";
            }
        }

        return null;
    }

    private sealed record Range(string Cidr, string Reason, bool IsLoopback = false)
    {
        private readonly byte[] _network = IPAddress.Parse(Cidr[..Cidr.IndexOf('/', StringComparison.Ordinal)]).GetAddressBytes();
        private readonly int _prefixLength = int.Parse(Cidr[(Cidr.IndexOf('/', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        public bool Contains(byte[] address)
        {
            if (address.Length != _network.Length)
            {
                return false;
            }

            var whole = _prefixLength / 8;
            if (!address.AsSpan(0, whole).SequenceEqual(_network.AsSpan(0, whole)))
            {
                return false;
            }

            var bits = _prefixLength % 8;
            if (bits == 0)
            {
                return true;
            }

            var mask = (byte)(0xFF << (8 - bits));
            return (address[whole] & mask) == (_network[whole] & mask);
        }
    }
}
