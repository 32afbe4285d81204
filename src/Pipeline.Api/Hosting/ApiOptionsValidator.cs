using Microsoft.Extensions.Options;

namespace Pipeline.Api.Hosting;

/// <summary>The rule across <see cref="ApiOptions"/>' fields that its attributes cannot state.</summary>
public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options) =>
        options.MaxRequestBytes >= options.MaxImageBytes
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Api:MaxRequestBytes must be at least Api:MaxImageBytes.");
}
