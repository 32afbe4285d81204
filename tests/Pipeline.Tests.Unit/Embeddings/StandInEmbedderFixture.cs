using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Embeddings;

/// <summary>A tiny random-weight CLIP (Xenova layout) written once per test class, its image tower loaded on the CPU.</summary>
public sealed class StandInEmbedderFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public StandInEmbedderFixture()
    {
        ClipStandIn.Write(_folder.Path, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        Embedder = Open(_folder.Path);
    }

    public ClipImageEmbedder Embedder { get; }

    public static OnnxSessionFactory CpuSessions() => new(
        Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }),
        NullLogger<OnnxSessionFactory>.Instance);

    public static ClipImageEmbedder Open(string folder) => new(new ImageEmbedderOptions { Path = folder }, CpuSessions());

    public void Dispose()
    {
        Embedder.Dispose();
        _folder.Dispose();
    }
}
