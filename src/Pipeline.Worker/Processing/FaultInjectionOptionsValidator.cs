using Microsoft.Extensions.Options;

namespace Pipeline.Worker.Processing;

/// <summary>Refuses the fault tests' switches outside their environment, so that no production worker crashes on purpose.</summary>
public sealed class FaultInjectionOptionsValidator(IHostEnvironment environment) : IValidateOptions<FaultInjectionOptions>
{
    public ValidateOptionsResult Validate(string? name, FaultInjectionOptions options) =>
        options.ExitOnImageId is null || environment.IsEnvironment(FaultInjectionOptions.Environment)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{FaultInjectionOptions.Section}:ExitOnImageId is a switch of the fault tests: it is refused unless DOTNET_ENVIRONMENT is {FaultInjectionOptions.Environment}.");
}
