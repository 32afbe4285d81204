using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Images;
using Pipeline.Sources.Watching;

namespace Pipeline.Tests.Api.Settings;

/// <summary>Thumbnails kept where uploads or watched images are would be described as images: the API does not start.</summary>
public sealed class ThumbnailOptionsValidatorTests
{
    [Fact]
    public void TheDefaultsAreValid() => Assert.True(Validate("thumbnails").Succeeded);

    [Fact]
    public void TheUploadContainerIsRefused() =>
        Assert.Equal(["Api:Thumbnails:Container must not be Api:Container: thumbnails are no uploads."], Validate("images").Failures);

    [Fact]
    public void AWatchedContainerIsRefused() =>
        Assert.Equal(
            ["Api:Thumbnails:Container must not be one of BlobWatch:Containers: thumbnails are no images to describe."],
            Validate("photos", watched: "photos").Failures);

    private static ValidateOptionsResult Validate(string container, string? watched = null)
    {
        var watch = new BlobWatchOptions();
        if (watched is not null)
        {
            watch.Containers.Add(new WatchedContainer { Name = watched });
        }

        return new ThumbnailOptionsValidator(Options.Create(new ApiOptions()), Options.Create(watch))
            .Validate(null, new ThumbnailOptions { Container = container });
    }
}
