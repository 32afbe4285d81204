using Pipeline.Imaging;

namespace Pipeline.Tests.Unit.Imaging;

public sealed class ImagingOptionsTests
{
    [Fact]
    public void StoredSidesReplaceOnlyTheSidesAndKeepTheDeadlineAndEveryOtherLimit()
    {
        var configured = new ImagingOptions
        {
            MaxPixels = 12_000_000,
            MaxDimension = 9_000,
            MaxSide = 1024,
            MinSide = 224,
            DecodeTimeoutMs = 1_234,
            ConcurrentDecodes = 3,
            MaxDecodingPixels = 5_000_000,
            StoredSettingsRefreshMs = 777,
        };

        var stored = configured.WithSides(768, 384);

        Assert.Equal((768, 384), (stored.MaxSide, stored.MinSide));
        Assert.Equal((1024, 224), (configured.MaxSide, configured.MinSide));
        // Every other setting, including any added later, is carried over.
        foreach (var property in typeof(ImagingOptions).GetProperties().Where(p => p.Name is not (nameof(ImagingOptions.MaxSide) or nameof(ImagingOptions.MinSide))))
        {
            Assert.True(Equals(property.GetValue(configured), property.GetValue(stored)), $"{property.Name} was not carried over");
        }
    }
}
