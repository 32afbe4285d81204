namespace Pipeline.Sources.Urls;

/// <summary>Entries of <see cref="UrlSourceOptions.AllowedHosts"/>: a host name, or <c>*.</c> and a domain for its subdomains.</summary>
internal static class HostPattern
{
    private const string AnySubdomain = "*.";

    public static bool IsValid(string? pattern) =>
        !string.IsNullOrWhiteSpace(pattern)
        && Uri.CheckHostName(pattern.StartsWith(AnySubdomain, StringComparison.Ordinal) ? pattern[AnySubdomain.Length..] : pattern) == UriHostNameType.Dns;

    /// <summary>Whether <paramref name="host"/> (IDNA form, as <see cref="Uri.IdnHost"/> gives it) is allowed by any pattern.</summary>
    public static bool Matches(IEnumerable<string> patterns, string host) =>
        patterns.Any(pattern => pattern.StartsWith(AnySubdomain, StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, pattern, StringComparison.OrdinalIgnoreCase));
}
