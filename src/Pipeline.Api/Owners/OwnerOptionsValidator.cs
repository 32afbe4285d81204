using Microsoft.Extensions.Options;
using Pipeline.Contracts;

namespace Pipeline.Api.Owners;

/// <summary>Refuses to start with API keys that are guessable, duplicated or mapped to an invalid owner, or with no way to call at all.</summary>
public sealed class OwnerOptionsValidator : IValidateOptions<OwnerOptions>
{
    private const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, OwnerOptions options)
    {
        var errors = new List<string>();
        if (!options.TrustOwnerHeader && options.ApiKeys.Count == 0)
        {
            errors.Add("Api:Owners has no API keys and TrustOwnerHeader is false: no request could name its owner.");
        }

        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var entry = options.ApiKeys[i];
            if (entry.Key.Length < MinimumKeyLength)
            {
                errors.Add($"Api:Owners:ApiKeys:{i}:Key must have at least {MinimumKeyLength} characters.");
            }

            if (!ImageIds.IsValidOwner(entry.Owner))
            {
                errors.Add($"Api:Owners:ApiKeys:{i}:Owner must be {ImageIds.OwnerRule}.");
            }
        }

        if (options.ApiKeys.Select(k => k.Key).Distinct(StringComparer.Ordinal).Count() != options.ApiKeys.Count)
        {
            errors.Add("Api:Owners:ApiKeys has the same key twice.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
