using Microsoft.Extensions.Options;
using Pipeline.Sources.Watching;

namespace Pipeline.Api.BlobEvents;

/// <summary>An enabled webhook needs a secret that cannot be guessed and containers whose events it accepts.</summary>
public sealed class BlobEventsOptionsValidator(IOptions<BlobWatchOptions> watch) : IValidateOptions<BlobEventsOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobEventsOptions options)
    {
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (options.Key.Length < BlobEventsOptions.MinimumKeyLength)
        {
            errors.Add($"BlobEvents:Key must have at least {BlobEventsOptions.MinimumKeyLength} characters when BlobEvents:Enabled is true.");
        }

        if (watch.Value.Containers.Count == 0)
        {
            errors.Add("BlobEvents:Enabled needs BlobWatch:Containers: the containers whose events are accepted.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
