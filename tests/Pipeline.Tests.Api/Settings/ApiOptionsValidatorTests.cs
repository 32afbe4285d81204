using Pipeline.Api.Hosting;

namespace Pipeline.Tests.Api.Settings;

/// <summary>A request limit below the image limit would refuse images the API accepts: the API does not start.</summary>
public sealed class ApiOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(new ApiOptionsValidator().Validate(null, new ApiOptions()).Succeeded);

    [Fact]
    public void ARequestLimitBelowTheImageLimitIsRefused() =>
        Assert.Equal(
            ["Api:MaxRequestBytes must be at least Api:MaxImageBytes."],
            new ApiOptionsValidator().Validate(null, new ApiOptions { MaxImageBytes = 2048, MaxRequestBytes = 1024 }).Failures);
}
