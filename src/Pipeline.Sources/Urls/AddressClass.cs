namespace Pipeline.Sources.Urls;

/// <summary>What kind of address an IP is, as far as reaching it from a message is concerned.</summary>
public enum AddressClass
{
    /// <summary>A public internet address: the only class a <c>url</c> source reaches unless a network is allowed.</summary>
    Public,
    Loopback,
    Unspecified,
    LinkLocal,
    Private,
    SharedAddressSpace,
    Multicast,
    Broadcast,
    Benchmarking,
    Documentation,
    Reserved,
}
