using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Sources.Watching;

/// <summary>Checks <see cref="BlobWatchOptions"/> at start-up, naming the setting that is wrong.</summary>
public sealed partial class BlobWatchOptionsValidator : IValidateOptions<BlobWatchOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobWatchOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.OwnerPattern) && BlobOwners.TryCompile(options.OwnerPattern).Error is { } patternError)
        {
            errors.Add($"BlobWatch:OwnerPattern: {patternError}");
        }

        if (!string.IsNullOrWhiteSpace(options.DefaultOwner) && !BlobOwners.IsValidOwner(options.DefaultOwner))
        {
            errors.Add($"BlobWatch:DefaultOwner must be {ImageIds.OwnerRule}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Containers.Count; i++)
        {
            var container = options.Containers[i];
            var setting = $"BlobWatch:Containers:{i}";
            if (!ContainerName().IsMatch(container.Name ?? ""))
            {
                errors.Add($"{setting}:Name '{container.Name}' is not a valid blob container name (3–63 lowercase letters, digits and single hyphens).");
            }
            else if (!seen.Add(container.Name!))
            {
                errors.Add($"{setting}:Name '{container.Name}' is listed twice: one entry per container.");
            }

            if (container.Prefix is { Length: > 1024 })
            {
                errors.Add($"{setting}:Prefix is longer than a blob name may be (1024 characters).");
            }

            var hasOwner = !string.IsNullOrWhiteSpace(container.Owner);
            var hasPattern = !string.IsNullOrWhiteSpace(container.OwnerPattern);
            if (hasOwner && hasPattern)
            {
                errors.Add($"{setting}: set Owner or OwnerPattern, not both.");
            }

            if (hasOwner && !BlobOwners.IsValidOwner(container.Owner))
            {
                errors.Add($"{setting}:Owner must be {ImageIds.OwnerRule}.");
            }

            if (hasPattern && BlobOwners.TryCompile(container.OwnerPattern!).Error is { } error)
            {
                errors.Add($"{setting}:OwnerPattern: {error}");
            }

            if (!hasOwner && !hasPattern && string.IsNullOrWhiteSpace(options.OwnerPattern) && string.IsNullOrWhiteSpace(options.DefaultOwner))
            {
                errors.Add($"{setting}: no owner for its blobs: set its Owner or OwnerPattern, or BlobWatch:OwnerPattern or BlobWatch:DefaultOwner.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerName();
}
