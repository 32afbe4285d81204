using Microsoft.Extensions.Hosting.Internal;
using Pipeline.Worker.Processing;

namespace Pipeline.Tests.Unit.Worker.Processing;

/// <summary>The fault tests' crash switch is refused wherever the fault tests do not run.</summary>
public sealed class FaultInjectionOptionsValidatorTests
{
    [Fact]
    public void NoSwitchIsValidEverywhere() =>
        Assert.True(Validator("Production").Validate(null, new FaultInjectionOptions()).Succeeded);

    [Fact]
    public void TheSwitchIsAcceptedInTheTestingEnvironment() =>
        Assert.True(Validator("Testing").Validate(null, new FaultInjectionOptions { ExitOnImageId = "poison" }).Succeeded);

    [Fact]
    public void TheSwitchIsRefusedElsewhere() =>
        Assert.Equal(
            ["FaultInjection:ExitOnImageId is a switch of the fault tests: it is refused unless DOTNET_ENVIRONMENT is Testing."],
            Validator("Production").Validate(null, new FaultInjectionOptions { ExitOnImageId = "poison" }).Failures);

    private static FaultInjectionOptionsValidator Validator(string environment) =>
        new(new HostingEnvironment { EnvironmentName = environment });
}
