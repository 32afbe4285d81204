using Pipeline.Contracts;

namespace Pipeline.Tests.Unit.Sources;

/// <summary>
/// The SSRF guard where it counts, in the fetcher's connection: a public-looking name whose DNS answers a private
/// address, literal addresses in every spelling, names that answer a public and a private address. Nothing here
/// may open a connection (no address any test uses is reachable).
/// </summary>
public sealed class UrlImageFetcherGuardTests
{
    [Theory]
    [InlineData("10.1.2.3", "a private network address")]
    [InlineData("192.168.0.10", "a private network address")]
    [InlineData("169.254.169.254", "a link-local address (where cloud metadata services answer)")]
    [InlineData("::ffff:127.0.0.1", "a loopback address (this machine)")]
    [InlineData("127.0.0.1", "a loopback address (this machine)")]
    [InlineData("::1", "a loopback address (this machine)")]
    [InlineData("0.0.0.0", "an unspecified address (this machine)")]
    [InlineData("100.100.100.200", "a carrier-grade NAT address")]
    [InlineData("fd00:ec2::254", "a private network address")]
    public async Task APublicLookingHostThatResolvesToAnAddressThatIsNotPublicIsRefused(string address, string described)
    {
        var resolver = new FakeResolver().Answer("images.example.com", address);
        using var host = new UrlFetcherHost(resolver);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri("https://images.example.com/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Equal(
            $"'https://images.example.com/cat.png' resolves to {address}, {described}; URL sources reach only public internet addresses " +
            "(allow a network with Sources:Url:AllowedNetworks).",
            refused.Message);
        Assert.Equal(["images.example.com"], resolver.Lookups);
    }

    [Fact]
    public async Task AHostThatAnswersAPublicAndAPrivateAddressIsRefused()
    {
        var resolver = new FakeResolver().Answer("images.example.com", "93.184.215.14", "10.0.0.7");
        using var host = new UrlFetcherHost(resolver);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri("https://images.example.com/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("resolves to 10.0.0.7, a private network address", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1/cat.png", "127.0.0.1", "a loopback address")]
    [InlineData("https://2130706433/cat.png", "127.0.0.1", "a loopback address")]
    [InlineData("https://0x7f.0.0.1/cat.png", "127.0.0.1", "a loopback address")]
    [InlineData("https://0177.0.0.01/cat.png", "127.0.0.1", "a loopback address")]
    [InlineData("https://0/cat.png", "0.0.0.0", "an unspecified address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local address")]
    [InlineData("https://[::1]/cat.png", "::1", "a loopback address")]
    [InlineData("https://[::ffff:a9fe:a9fe]/latest/meta-data/", "::ffff:169.254.169.254", "a link-local address")]
    [InlineData("https://10.0.0.5:8443/cat.png", "10.0.0.5", "a private network address")]
    public async Task LiteralAddressesAreRefusedInEverySpellingWithoutAskingDns(string url, string address, string described)
    {
        var resolver = new FakeResolver();
        using var host = new UrlFetcherHost(resolver);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri(url), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains($" is {address}, {described}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(resolver.Lookups);
    }

    [Fact]
    public async Task AHostThatDoesNotExistFailsTheImage()
    {
        using var host = new UrlFetcherHost(new FakeResolver(), options => options.Retries = 0);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri("https://nowhere.example.com/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlFetchFailed, refused.Reason);
        Assert.Equal("The host of 'https://nowhere.example.com/cat.png' does not exist (DNS).", refused.Message);
    }

    [Fact]
    public async Task UrlsWithCredentialsAreRefusedBeforeAnyLookup()
    {
        var resolver = new FakeResolver().Answer("images.example.com", "93.184.215.14");
        using var host = new UrlFetcherHost(resolver);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri("https://bob:hunter2@images.example.com/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.DoesNotContain("hunter2", refused.Message, StringComparison.Ordinal);
        Assert.Empty(resolver.Lookups);
    }

    [Fact]
    public async Task PlainHttpIsRefusedUnlessAllowed()
    {
        var resolver = new FakeResolver().Answer("images.example.com", "93.184.215.14");
        using var host = new UrlFetcherHost(resolver);

        var refused = await Assert.ThrowsAsync<ImageRejectedException>(() =>
            host.Fetcher.FetchAsync(new Uri("http://images.example.com/cat.png"), TestContext.Current.CancellationToken));

        Assert.Equal(FailureReasons.UrlNotAllowed, refused.Reason);
        Assert.Contains("Sources:Url:AllowHttp", refused.Message, StringComparison.Ordinal);
        Assert.Empty(resolver.Lookups);
    }
}
