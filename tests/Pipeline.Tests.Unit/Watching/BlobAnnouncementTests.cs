using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Sources.Watching;

namespace Pipeline.Tests.Unit.Watching;

/// <summary>The id, version and owner a blob is announced with, the same for the watcher and for pushed events.</summary>
public sealed class BlobAnnouncementTests
{
    [Fact]
    public void TheIdNamesContainerAndBlobOrTheNamesHashWhenTooLongOrUnprintable()
    {
        Assert.Equal("blob:photos/alice/2026/cat.png", BlobAnnouncement.ImageId("photos", "alice/2026/cat.png"));

        var longName = "alice/" + new string('a', 300) + ".png";
        var hashed = BlobAnnouncement.ImageId("photos", longName);
        Assert.Matches("^blob:photos/sha256:[0-9a-f]{64}$", hashed);
        Assert.True(hashed.Length <= ImageUploaded.MaxIdLength);
        Assert.NotEqual(hashed, BlobAnnouncement.ImageId("photos", longName + "x"));
        Assert.Matches("^blob:photos/sha256:[0-9a-f]{64}$", BlobAnnouncement.ImageId("photos", "line\nbreak.png"));
    }

    [Theory]
    [InlineData("\"0x8DC4B2F7A1E3C55\"")]
    [InlineData("0x8DC4B2F7A1E3C55")]
    [InlineData("W/\"0x8DC4B2F7A1E3C55\"")]
    public void AnETagIsTheSameVersionWhereverItWasRead(string etag) =>
        Assert.Equal("0x8DC4B2F7A1E3C55", BlobAnnouncement.Version(etag));

    [Fact]
    public void TheOwnerIsTheContainersOwnOrThePatternsGroupOrTheDefault()
    {
        var options = new BlobWatchOptions { OwnerPattern = "^(?<owner>[^/]+)/" };
        options.Containers.Add(new WatchedContainer { Name = "photos" });
        options.Containers.Add(new WatchedContainer { Name = "scans", Owner = "archive" });
        options.Containers.Add(new WatchedContainer { Name = "shared", OwnerPattern = "^users/(?<owner>[^/]+)/" });
        var owners = new BlobOwners(Options.Create(options));

        Assert.Equal("alice", owners.OwnerOf("photos", "alice/cat.png"));
        Assert.Null(owners.OwnerOf("photos", "cat.png"));
        Assert.Equal("archive", owners.OwnerOf("scans", "bob/cat.png"));
        Assert.Equal("carol", owners.OwnerOf("shared", "users/carol/cat.png"));
        Assert.Null(owners.OwnerOf("elsewhere", "alice/cat.png"));

        options.DefaultOwner = "unsorted";
        Assert.Equal("unsorted", new BlobOwners(Options.Create(options)).OwnerOf("photos", "cat.png"));
    }

    [Theory]
    [InlineData("Photos", null, null, "is not a valid blob container name")]
    [InlineData("photos", "^[^/]+/", null, "has no named group 'owner'")]
    [InlineData("photos", "^(?<owner>[^/]+/", null, "is not a valid regular expression")]
    [InlineData("photos", null, null, "no owner for its blobs")]
    [InlineData("photos", "^(?<owner>[^/]+)/", "archive", "set Owner or OwnerPattern, not both")]
    public void BadSettingsAreRefusedNamingTheSetting(string container, string? pattern, string? owner, string says)
    {
        var options = new BlobWatchOptions();
        options.Containers.Add(new WatchedContainer { Name = container, OwnerPattern = pattern, Owner = owner });

        var result = new BlobWatchOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(says, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("BlobWatch:Containers:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AContainerListedTwiceIsRefusedAndGoodSettingsPass()
    {
        var options = new BlobWatchOptions { OwnerPattern = "^(?<owner>[^/]+)/" };
        options.Containers.Add(new WatchedContainer { Name = "photos", Prefix = "incoming/" });
        Assert.True(new BlobWatchOptionsValidator().Validate(null, options).Succeeded);

        options.Containers.Add(new WatchedContainer { Name = "photos" });
        Assert.Contains("listed twice", new BlobWatchOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }
}
