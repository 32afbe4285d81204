using System.Net;

namespace Pipeline.Sources.Urls;

/// <summary>
/// Sorts IP addresses into <see cref="AddressClass"/>es by the IANA special-purpose registries. IPv6 forms that carry
/// an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that IPv4 address, so <c>::ffff:127.0.0.1</c> is
/// loopback and <c>64:ff9b::a9fe:a9fe</c> link-local.
/// </summary>
public static class AddressClassifier
{
    private static readonly (IPNetwork Network, AddressClass Class)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), AddressClass.Unspecified),
        (IPNetwork.Parse("10.0.0.0/8"), AddressClass.Private),
        (IPNetwork.Parse("100.64.0.0/10"), AddressClass.SharedAddressSpace),
        (IPNetwork.Parse("127.0.0.0/8"), AddressClass.Loopback),
        (IPNetwork.Parse("169.254.0.0/16"), AddressClass.LinkLocal),
        (IPNetwork.Parse("172.16.0.0/12"), AddressClass.Private),
        (IPNetwork.Parse("192.0.0.0/24"), AddressClass.Reserved),
        (IPNetwork.Parse("192.0.2.0/24"), AddressClass.Documentation),
        (IPNetwork.Parse("192.88.99.0/24"), AddressClass.Reserved),
        (IPNetwork.Parse("192.168.0.0/16"), AddressClass.Private),
        (IPNetwork.Parse("198.18.0.0/15"), AddressClass.Benchmarking),
        (IPNetwork.Parse("198.51.100.0/24"), AddressClass.Documentation),
        (IPNetwork.Parse("203.0.113.0/24"), AddressClass.Documentation),
        (IPNetwork.Parse("224.0.0.0/4"), AddressClass.Multicast),
        (IPNetwork.Parse("255.255.255.255/32"), AddressClass.Broadcast),
        (IPNetwork.Parse("240.0.0.0/4"), AddressClass.Reserved),
    ];

    private static readonly (IPNetwork Network, AddressClass Class)[] V6 =
    [
        (IPNetwork.Parse("::/128"), AddressClass.Unspecified),
        (IPNetwork.Parse("::1/128"), AddressClass.Loopback),
        (IPNetwork.Parse("64:ff9b:1::/48"), AddressClass.Private),
        (IPNetwork.Parse("100::/64"), AddressClass.Reserved),
        (IPNetwork.Parse("2001:2::/48"), AddressClass.Benchmarking),
        (IPNetwork.Parse("2001::/23"), AddressClass.Reserved),
        (IPNetwork.Parse("2001:db8::/32"), AddressClass.Documentation),
        (IPNetwork.Parse("3fff::/20"), AddressClass.Documentation),
        (IPNetwork.Parse("fc00::/7"), AddressClass.Private),
        (IPNetwork.Parse("fe80::/10"), AddressClass.LinkLocal),
        (IPNetwork.Parse("fec0::/10"), AddressClass.Private),
        (IPNetwork.Parse("ff00::/8"), AddressClass.Multicast),
    ];

    private static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (EmbeddedIPv4(address) is { } embedded)
        {
            return Classify(embedded);
        }

        var table = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? V4 : V6;
        foreach (var (network, kind) in table)
        {
            if (network.Contains(address))
            {
                return kind;
            }
        }

        return AddressClass.Public;
    }

    /// <summary>The IPv4 address an IPv6 one stands for, where it carries one; null otherwise.</summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (SixToFour.Contains(address))
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        // :: and ::1 are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
        var isOwn = address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Loopback);
        return !isOwn && (Nat64.Contains(address) || Compatible.Contains(address)) ? new IPAddress(bytes.AsSpan(12, 4)) : null;
    }

    /// <summary>Words for a message: "a private network address".</summary>
    public static string Describe(AddressClass kind) => kind switch
    {
        AddressClass.Public => "a public address",
        AddressClass.Loopback => "a loopback address (this machine)",
        AddressClass.Unspecified => "an unspecified address (this machine)",
        AddressClass.LinkLocal => "a link-local address (where cloud metadata services answer)",
        AddressClass.Private => "a private network address",
        AddressClass.SharedAddressSpace => "a carrier-grade NAT address",
        AddressClass.Multicast => "a multicast address",
        AddressClass.Broadcast => "a broadcast address",
        AddressClass.Benchmarking => "a benchmarking network address",
        AddressClass.Documentation => "a documentation address",
        AddressClass.Reserved => "a reserved address",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
