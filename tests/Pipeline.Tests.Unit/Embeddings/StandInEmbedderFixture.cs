using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Embeddings;

/// <summary>A small random-weight CLIP vision model written once per test class and loaded on the CPU.</summary>
public sealed class StandInEmbedderFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public StandInEmbedderFixture()
    {
        ClipVisionStandIn.Write(_folder.Path, new ClipVisionStandInOptions { Hidden = 32 });
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
