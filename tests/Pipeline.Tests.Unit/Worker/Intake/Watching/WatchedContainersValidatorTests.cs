using Microsoft.Extensions.Options;
using Pipeline.Sources;
using Pipeline.Sources.Watching;
using Pipeline.Worker.Intake.Watching;

namespace Pipeline.Tests.Unit.Worker.Intake.Watching;

/// <summary>A worker that would watch a container it may not read stops at start-up.</summary>
public sealed class WatchedContainersValidatorTests
{
    [Fact]
    public void WithoutAllowedContainersEveryContainerMayBeWatched() =>
        Assert.True(Validate(allowed: [], watched: ["photos"]).Succeeded);

    [Fact]
    public void AnAllowedContainerMayBeWatched() =>
        Assert.True(Validate(allowed: ["images", "photos"], watched: ["photos"]).Succeeded);

    [Fact]
    public void AWatchedContainerThatIsNotAllowedIsRefused() =>
        Assert.Equal(
            ["Every BlobWatch:Containers:N:Name must be one of Sources:AllowedContainers (the worker could not read its blobs)."],
            Validate(allowed: ["images"], watched: ["images", "photos"]).Failures);

    private static ValidateOptionsResult Validate(string[] allowed, string[] watched)
    {
        var sources = new SourceOptions();
        foreach (var container in allowed)
        {
            sources.AllowedContainers.Add(container);
        }

        var watch = new BlobWatchOptions();
        foreach (var container in watched)
        {
            watch.Containers.Add(new WatchedContainer { Name = container });
        }

        return new WatchedContainersValidator(Options.Create(sources)).Validate(null, watch);
    }
}
