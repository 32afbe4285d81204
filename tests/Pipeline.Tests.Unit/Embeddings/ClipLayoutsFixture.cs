using Pipeline.Inference.Embeddings;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Embeddings;

/// <summary>The same tiny stand-in CLIP (one seed) written in the Xenova and the Immich layouts, both towers loaded.</summary>
public sealed class ClipLayoutsFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public ClipLayoutsFixture()
    {
        ClipStandIn.Write(_folder.Sub("xenova"), new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        ClipStandIn.Write(_folder.Sub("immich"), new ClipStandInOptions { Layout = ClipStandInLayout.Immich });
        XenovaImages = StandInEmbedderFixture.Open(_folder.Sub("xenova"));
        ImmichImages = StandInEmbedderFixture.Open(_folder.Sub("immich"));
        XenovaTexts = new ClipTextEmbedder(new ImageEmbedderOptions { Path = _folder.Sub("xenova") }, StandInEmbedderFixture.CpuSessions());
        ImmichTexts = new ClipTextEmbedder(new ImageEmbedderOptions { Path = _folder.Sub("immich") }, StandInEmbedderFixture.CpuSessions());
    }

    public ClipImageEmbedder XenovaImages { get; }

    public ClipImageEmbedder ImmichImages { get; }

    public ClipTextEmbedder XenovaTexts { get; }

    public ClipTextEmbedder ImmichTexts { get; }

    public void Dispose()
    {
        XenovaImages.Dispose();
        ImmichImages.Dispose();
        XenovaTexts.Dispose();
        ImmichTexts.Dispose();
        _folder.Dispose();
    }
}
