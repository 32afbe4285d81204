using Microsoft.Extensions.Options;

namespace Pipeline.Search;

/// <summary>The rules across <see cref="SearchOptions"/>' fields that its attributes cannot state.</summary>
public sealed class SearchOptionsValidator : IValidateOptions<SearchOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchOptions options)
    {
        var errors = new List<string>();
        if (!options.PromptTemplate.Contains(SearchOptions.LabelPlaceholder, StringComparison.Ordinal))
        {
            errors.Add("Search:PromptTemplate must contain {label}.");
        }

        if (options.VectorWeight + options.TextWeight <= 0)
        {
            errors.Add("Search:VectorWeight and Search:TextWeight cannot both be 0.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
