using Microsoft.Extensions.Options;
using Pipeline.Api.BlobEvents;
using Pipeline.Sources.Watching;

namespace Pipeline.Tests.Api.Settings;

/// <summary>An enabled webhook with a guessable key or no containers to accept does not start.</summary>
public sealed class BlobEventsOptionsValidatorTests
{
    private const string GoodKey = "0123456789abcdef";

    [Fact]
    public void ADisabledWebhookNeedsNothing() => Assert.True(Validate(new BlobEventsOptions(), watched: null).Succeeded);

    [Fact]
    public void AnEnabledWebhookWithAKeyAndContainersIsValid() =>
        Assert.True(Validate(new BlobEventsOptions { Enabled = true, Key = GoodKey }, watched: "photos").Succeeded);

    [Fact]
    public void AShortKeyIsRefused() =>
        Assert.Equal(
            ["BlobEvents:Key must have at least 16 characters when BlobEvents:Enabled is true."],
            Validate(new BlobEventsOptions { Enabled = true, Key = GoodKey[..15] }, watched: "photos").Failures);

    [Fact]
    public void NoWatchedContainerIsRefused() =>
        Assert.Equal(
            ["BlobEvents:Enabled needs BlobWatch:Containers: the containers whose events are accepted."],
            Validate(new BlobEventsOptions { Enabled = true, Key = GoodKey }, watched: null).Failures);

    private static ValidateOptionsResult Validate(BlobEventsOptions options, string? watched)
    {
        var watch = new BlobWatchOptions();
        if (watched is not null)
        {
            watch.Containers.Add(new WatchedContainer { Name = watched });
        }

        return new BlobEventsOptionsValidator(Options.Create(watch)).Validate(null, options);
    }
}
