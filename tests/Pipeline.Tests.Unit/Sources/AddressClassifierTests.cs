using System.Net;
using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>Every address a message could aim the worker at, sorted into what it may and may not reach.</summary>
public sealed class AddressClassifierTests
{
    [Theory]
    [InlineData("127.0.0.1", AddressClass.Loopback)]
    [InlineData("127.255.255.254", AddressClass.Loopback)]
    [InlineData("::1", AddressClass.Loopback)]
    [InlineData("0.0.0.0", AddressClass.Unspecified)]
    [InlineData("0.1.2.3", AddressClass.Unspecified)]
    [InlineData("::", AddressClass.Unspecified)]
    [InlineData("169.254.169.254", AddressClass.LinkLocal)]
    [InlineData("169.254.0.1", AddressClass.LinkLocal)]
    [InlineData("fe80::1", AddressClass.LinkLocal)]
    [InlineData("febf:ffff::1", AddressClass.LinkLocal)]
    [InlineData("10.0.0.5", AddressClass.Private)]
    [InlineData("172.16.0.1", AddressClass.Private)]
    [InlineData("172.31.255.255", AddressClass.Private)]
    [InlineData("192.168.1.10", AddressClass.Private)]
    [InlineData("fc00::1", AddressClass.Private)]
    [InlineData("fd00:ec2::254", AddressClass.Private)]
    [InlineData("fec0::1", AddressClass.Private)]
    [InlineData("100.64.0.1", AddressClass.SharedAddressSpace)]
    [InlineData("100.100.100.200", AddressClass.SharedAddressSpace)]
    [InlineData("224.0.0.1", AddressClass.Multicast)]
    [InlineData("239.255.255.250", AddressClass.Multicast)]
    [InlineData("ff02::1", AddressClass.Multicast)]
    [InlineData("255.255.255.255", AddressClass.Broadcast)]
    [InlineData("198.18.0.1", AddressClass.Benchmarking)]
    [InlineData("198.19.255.255", AddressClass.Benchmarking)]
    [InlineData("192.0.2.1", AddressClass.Documentation)]
    [InlineData("198.51.100.7", AddressClass.Documentation)]
    [InlineData("203.0.113.9", AddressClass.Documentation)]
    [InlineData("2001:db8::1", AddressClass.Documentation)]
    [InlineData("240.0.0.1", AddressClass.Reserved)]
    [InlineData("192.0.0.170", AddressClass.Reserved)]
    public void SpecialPurposeAddressesAreClassified(string address, AddressClass expected) =>
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:127.0.0.1", AddressClass.Loopback)]
    [InlineData("::ffff:169.254.169.254", AddressClass.LinkLocal)]
    [InlineData("::ffff:10.1.2.3", AddressClass.Private)]
    [InlineData("::127.0.0.1", AddressClass.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressClass.LinkLocal)]
    [InlineData("2002:c0a8:0101::1", AddressClass.Private)]
    [InlineData("2002:7f00:0001::", AddressClass.Loopback)]
    [InlineData("::ffff:8.8.8.8", AddressClass.Public)]
    [InlineData("64:ff9b::808:808", AddressClass.Public)]
    public void IPv6FormsThatCarryAnIPv4AddressAreJudgedByIt(string address, AddressClass expected) =>
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.215.14")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("11.0.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:82a::200e")]
    public void PublicAddressesArePublic(string address) =>
        Assert.Equal(AddressClass.Public, AddressClassifier.Classify(IPAddress.Parse(address)));

    [Fact]
    public void EveryClassHasWordsForAMessage() =>
        Assert.All(Enum.GetValues<AddressClass>(), kind => Assert.StartsWith("a", AddressClassifier.Describe(kind), StringComparison.Ordinal));
}
