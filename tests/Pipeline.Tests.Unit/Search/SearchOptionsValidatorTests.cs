using Pipeline.Search;

namespace Pipeline.Tests.Unit.Search;

/// <summary>Search settings that would rank nothing or ask CLIP the wrong question stop the host at start-up.</summary>
public sealed class SearchOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(new SearchOptionsValidator().Validate(null, new SearchOptions()).Succeeded);

    [Fact]
    public void APromptTemplateWithoutTheLabelIsRefused()
    {
        var result = new SearchOptionsValidator().Validate(null, new SearchOptions { PromptTemplate = "a photo" });

        Assert.Equal(["Search:PromptTemplate must contain {label}."], result.Failures);
    }

    [Fact]
    public void TwoZeroWeightsAreRefusedButOneIsNot()
    {
        var validator = new SearchOptionsValidator();

        Assert.True(validator.Validate(null, new SearchOptions { TextWeight = 0 }).Succeeded);
        Assert.Equal(
            ["Search:VectorWeight and Search:TextWeight cannot both be 0."],
            validator.Validate(null, new SearchOptions { VectorWeight = 0, TextWeight = 0 }).Failures);
    }
}
