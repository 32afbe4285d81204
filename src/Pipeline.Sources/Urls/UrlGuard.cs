using System.Net;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Sources.Urls;

/// <summary>
/// Decides what a <c>url</c> source may reach: the URL itself (scheme, credentials, host list) before each request
/// and redirect, and every address its host resolves to before a connection is opened.
/// </summary>
public sealed class UrlGuard
{
    private readonly UrlSourceOptions _options;
    private readonly IPNetwork[] _allowedNetworks;

    public UrlGuard(IOptions<UrlSourceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _allowedNetworks = [.. _options.AllowedNetworks.Select(n => IPNetwork.Parse(n))];
    }

    /// <summary>Throws <see cref="ImageRejectedException"/> (<c>url-not-allowed</c>) for a URL the worker must not request.</summary>
    /// <param name="redirectedFrom">The URL that redirected here, if any: https must not be downgraded to http.</param>
    public void CheckUrl(Uri url, Uri? redirectedFrom = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!_options.Enabled)
        {
            throw NotAllowed($"URL sources are turned off ({UrlSourceOptions.Section}:Enabled).");
        }

        if (!url.IsAbsoluteUri)
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, "A url source needs an absolute https URL.");
        }

        if (url.UserInfo.Length > 0)
        {
            throw NotAllowed($"'{SafeUrl.Show(url)}' carries a user name or password; URL sources may not carry credentials.");
        }

        var https = url.Scheme == Uri.UriSchemeHttps;
        if (!https && !(url.Scheme == Uri.UriSchemeHttp && _options.AllowHttp))
        {
            throw NotAllowed(url.Scheme == Uri.UriSchemeHttp
                ? $"'{SafeUrl.Show(url)}' is plain http; URL sources must be https (allow http with {UrlSourceOptions.Section}:AllowHttp)."
                : $"'{SafeUrl.Show(url)}' uses the scheme '{url.Scheme}'; URL sources must be https.");
        }

        if (!https && redirectedFrom?.Scheme == Uri.UriSchemeHttps)
        {
            throw NotAllowed($"'{SafeUrl.Show(redirectedFrom)}' redirects to plain http ('{SafeUrl.Show(url)}'); a redirect may not leave https.");
        }

        if (_options.AllowedHosts.Count > 0 && !HostPattern.Matches(_options.AllowedHosts, url.IdnHost))
        {
            throw NotAllowed($"'{SafeUrl.Show(url)}' is on a host that is not one of {UrlSourceOptions.Section}:AllowedHosts.");
        }
    }

    /// <summary>
    /// Null when <paramref name="address"/> may be connected to; otherwise why not, for a message about
    /// <paramref name="url"/>.
    /// </summary>
    public string? RefuseAddress(Uri url, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(address);
        var kind = AddressClassifier.Classify(address);
        if (kind == AddressClass.Public || IsInAllowedNetwork(address))
        {
            return null;
        }

        var how = url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 ? "is" : "resolves to";
        return $"'{SafeUrl.Show(url)}' {how} {address}, {AddressClassifier.Describe(kind)}; URL sources reach only public " +
            $"internet addresses (allow a network with {UrlSourceOptions.Section}:AllowedNetworks).";
    }

    private bool IsInAllowedNetwork(IPAddress address)
    {
        var asIPv4 = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : null;
        return _allowedNetworks.Any(network => network.Contains(address) || (asIPv4 is not null && network.Contains(asIPv4)));
    }

    private static ImageRejectedException NotAllowed(string message) => new(FailureReasons.UrlNotAllowed, message);
}
