using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Sources.Watching;

/// <summary>Which containers are watched and whose each of their blobs is, from <see cref="BlobWatchOptions"/>.</summary>
public sealed class BlobOwners
{
    /// <summary>Blob names come from anyone who can write to the container: a pattern gets this long per name.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private readonly Dictionary<string, (WatchedContainer Container, Regex? Pattern)> _containers;
    private readonly string? _defaultOwner;

    public BlobOwners(IOptions<BlobWatchOptions> options)
    {
        var value = options.Value;
        _defaultOwner = string.IsNullOrWhiteSpace(value.DefaultOwner) ? null : value.DefaultOwner;
        _containers = value.Containers.ToDictionary(
            c => c.Name,
            c => (c, Compile(string.IsNullOrWhiteSpace(c.OwnerPattern) ? value.OwnerPattern : c.OwnerPattern)),
            StringComparer.Ordinal);
    }

    public IEnumerable<WatchedContainer> Containers => _containers.Values.Select(c => c.Container);

    public bool IsWatched(string container) => _containers.ContainsKey(container);

    /// <summary>
    /// The container's fixed owner, else the pattern's <c>owner</c> group, else BlobWatch:DefaultOwner; null when none
    /// applies (the blob is skipped).
    /// </summary>
    public string? OwnerOf(string container, string name)
    {
        if (!_containers.TryGetValue(container, out var watched))
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(watched.Container.Owner))
        {
            return watched.Container.Owner;
        }

        try
        {
            var match = watched.Pattern?.Match(name);
            if (match is { Success: true } && match.Groups["owner"] is { Success: true } group && IsValidOwner(group.Value))
            {
                return group.Value;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A name the pattern cannot decide on in time is treated as unmatched.
        }

        return _defaultOwner;
    }

    /// <summary>The owner rule of every path (<see cref="ImageIds.OwnerRule"/>).</summary>
    public static bool IsValidOwner(string? owner) => ImageIds.IsValidOwner(owner);

    /// <summary>The pattern compiled, or the reason it cannot be used.</summary>
    public static (Regex? Pattern, string? Error) TryCompile(string pattern)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            return (null, $"'{pattern}' is not a valid regular expression: {e.Message}");
        }

        return regex.GetGroupNames().Contains("owner")
            ? (regex, null)
            : (null, $"'{pattern}' has no named group 'owner', e.g. ^(?<owner>[^/]+)/");
    }

    private static Regex? Compile(string? pattern) =>
        string.IsNullOrWhiteSpace(pattern) ? null : TryCompile(pattern).Pattern;
}
