using System.Net;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Sources.Urls;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>What a URL may be, and which addresses <c>Sources:Url:AllowedNetworks</c> lets through.</summary>
public sealed class UrlGuardTests
{
    private static readonly Uri Picture = new("https://images.example.com/cat.png");

    [Theory]
    [InlineData("10.1.2.3", "a private network address")]
    [InlineData("169.254.169.254", "a link-local address (where cloud metadata services answer)")]
    [InlineData("::ffff:127.0.0.1", "a loopback address")]
    public void AddressesThatAreNotPublicAreRefusedNamingTheirClassAndTheSettingThatAllowsThem(string address, string described)
    {
        var refusal = Guard().RefuseAddress(Picture, IPAddress.Parse(address));

        Assert.NotNull(refusal);
        Assert.StartsWith($"'https://images.example.com/cat.png' resolves to {address}, {described}", refusal, StringComparison.Ordinal);
        Assert.Contains("Sources:Url:AllowedNetworks", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicAddressesPass() => Assert.Null(Guard().RefuseAddress(Picture, IPAddress.Parse("93.184.215.14")));

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("10.255.0.1")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("fd12:3456::1")]
    public void AllowedNetworksLetTheirAddressesThrough(string address)
    {
        var guard = Guard(options => { options.AllowedNetworks.Add("10.0.0.0/8"); options.AllowedNetworks.Add("fd12::/16"); });

        Assert.Null(guard.RefuseAddress(Picture, IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("192.168.1.1")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    public void AllowingOneNetworkLeavesTheOthersRefused(string address)
    {
        var guard = Guard(options => options.AllowedNetworks.Add("10.0.0.0/8"));

        Assert.NotNull(guard.RefuseAddress(Picture, IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("http://images.example.com/cat.png", "Sources:Url:AllowHttp")]
    [InlineData("ftp://images.example.com/cat.png", "the scheme 'ftp'")]
    [InlineData("file:///etc/passwd", "the scheme 'file'")]
    [InlineData("gopher://images.example.com/cat.png", "the scheme 'gopher'")]
    public void OnlyHttpsIsFetchedByDefault(string url, string says)
    {
        var refused = Assert.Throws<ImageRejectedException>(() => Guard().CheckUrl(new Uri(url)));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainHttpIsFetchedWhenAllowed() =>
        Guard(options => options.AllowHttp = true).CheckUrl(new Uri("http://images.example.com/cat.png"));

    [Fact]
    public void ARedirectFromHttpsToHttpIsRefusedEvenWhenHttpIsAllowed()
    {
        var guard = Guard(options => options.AllowHttp = true);

        var refused = Assert.Throws<ImageRejectedException>(() => guard.CheckUrl(new Uri("http://images.example.com/cat.png"), redirectedFrom: Picture));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("may not leave https", refused.Message, StringComparison.Ordinal);
        guard.CheckUrl(new Uri("http://images.example.com/cat.png"), redirectedFrom: new Uri("http://images.example.com/old.png"));
    }

    [Theory]
    [InlineData("https://alice:s3cret@images.example.com/cat.png")]
    [InlineData("https://alice@images.example.com/cat.png")]
    public void UrlsWithCredentialsAreRefusedWithoutRepeatingThem(string url)
    {
        var refused = Assert.Throws<ImageRejectedException>(() => Guard().CheckUrl(new Uri(url)));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("user name or password", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagesLeaveTheQueryOut()
    {
        var refusal = Guard().RefuseAddress(new Uri("https://images.example.com/cat.png?signature=abc123"), IPAddress.Parse("10.0.0.1"));

        Assert.DoesNotContain("abc123", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://images.example.com/cat.png", true)]
    [InlineData("https://IMAGES.example.com/cat.png", true)]
    [InlineData("https://a.cdn.example.net/cat.png", true)]
    [InlineData("https://a.b.cdn.example.net/cat.png", true)]
    [InlineData("https://cdn.example.net/cat.png", false)]
    [InlineData("https://evil-cdn.example.net/cat.png", false)]
    [InlineData("https://images.example.com.evil.test/cat.png", false)]
    [InlineData("https://other.example.com/cat.png", false)]
    public void AllowedHostsRestrictTheHostsReached(string url, bool allowed)
    {
        var guard = Guard(options => { options.AllowedHosts.Add("images.example.com"); options.AllowedHosts.Add("*.cdn.example.net"); });

        var refused = Record.Exception(() => guard.CheckUrl(new Uri(url)));

        if (allowed)
        {
            Assert.Null(refused);
        }
        else
        {
            var rejection = Assert.IsType<ImageRejectedException>(refused);
            Assert.Equal(FailureReasons.UrlNotAllowed, rejection.Reason);
            Assert.Contains("Sources:Url:AllowedHosts", rejection.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TurnedOffRefusesEveryUrl()
    {
        var refused = Assert.Throws<ImageRejectedException>(() => Guard(options => options.Enabled = false).CheckUrl(Picture));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("Sources:Url:Enabled", refused.Message, StringComparison.Ordinal);
    }

    private static UrlGuard Guard(Action<UrlSourceOptions>? configure = null)
    {
        var options = new UrlSourceOptions();
        configure?.Invoke(options);
        return new UrlGuard(Options.Create(options));
    }
}
