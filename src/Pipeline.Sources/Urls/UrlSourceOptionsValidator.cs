using System.Net;
using Microsoft.Extensions.Options;

namespace Pipeline.Sources.Urls;

/// <summary>What DataAnnotations cannot check: networks, host names and the user agent must parse.</summary>
public sealed class UrlSourceOptionsValidator : IValidateOptions<UrlSourceOptions>
{
    public ValidateOptionsResult Validate(string? name, UrlSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedNetworks.Count; i++)
        {
            if (!IsNetwork(options.AllowedNetworks[i]))
            {
                errors.Add($"{UrlSourceOptions.Section}:AllowedNetworks:{i} '{options.AllowedNetworks[i]}' is not a network in CIDR form with no host bits set (e.g. 10.20.0.0/16 or fd00::/8).");
            }
        }

        for (var i = 0; i < options.AllowedHosts.Count; i++)
        {
            if (!HostPattern.IsValid(options.AllowedHosts[i]))
            {
                errors.Add($"{UrlSourceOptions.Section}:AllowedHosts:{i} '{options.AllowedHosts[i]}' is not a host name or '*.' followed by one.");
            }
        }

        if (!IsUserAgent(options.UserAgent))
        {
            errors.Add($"{UrlSourceOptions.Section}:UserAgent '{options.UserAgent}' is not a valid User-Agent header (e.g. Pipeline-ImageFetcher/1.0).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // "10.0.0.1/8" parses, but whether 10.0.0.0/8 or 10.0.0.1/32 was meant is a guess this check will not make.
    private static bool IsNetwork(string? text)
    {
        if (text is null || !IPNetwork.TryParse(text, out var network))
        {
            return false;
        }

        var address = IPAddress.Parse(text.AsSpan(0, text.IndexOf('/', StringComparison.Ordinal))).GetAddressBytes();
        for (var bit = network.PrefixLength; bit < address.Length * 8; bit++)
        {
            if ((address[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUserAgent(string? userAgent)
    {
        using var request = new HttpRequestMessage();
        return !string.IsNullOrWhiteSpace(userAgent) && request.Headers.UserAgent.TryParseAdd(userAgent);
    }
}
