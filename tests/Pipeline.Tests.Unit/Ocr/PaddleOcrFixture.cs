using Pipeline.Inference.Ocr;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// One reader over the real PP-OCRv4 weights (<c>pipeline models fetch ppocr-v4</c>; scripts/test.sh fetches them) and
/// the sample photos from Debian's python3-skimage (<c>deploy/local/samples.sh</c>; scripts/test.sh extracts them).
/// Loaded once for every OCR test class of the collection.
/// </summary>
public sealed class PaddleOcrFixture : IDisposable
{
    public const string Collection = "PP-OCRv4";

    private readonly Lazy<PaddleTextReader> _freeShapesReader;

    public PaddleOcrFixture()
    {
        Reader = NewReader(new OcrOptions());
        _freeShapesReader = new(() => NewReader(new OcrOptions { UseShapeBuckets = false }));
    }

    /// <summary>The default settings: shape buckets on.</summary>
    public PaddleTextReader Reader { get; }

    /// <summary>PaddleOCR's free input shapes (<c>Ocr:UseShapeBuckets</c> off), made on first use.</summary>
    public PaddleTextReader FreeShapesReader => _freeShapesReader.Value;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A reader of its own (what it has run starts empty) over the real weights, with <paramref name="options"/>' settings.</summary>
    public static PaddleTextReader NewReader(OcrOptions options)
    {
        var modelFolder = Path.Combine(RepositoryRoot, "models", "cache", "ppocr-v4");
        if (!File.Exists(Path.Combine(modelFolder, "model.lock.json")))
        {
            throw new InvalidOperationException($"The OCR models are not in {modelFolder}: run 'pipeline models fetch ppocr-v4' (scripts/test.sh does).");
        }

        options.Path = modelFolder;
        return new PaddleTextReader(options, Embeddings.StandInEmbedderFixture.CpuSessions());
    }

    public static string Sample(string name)
    {
        var path = Path.Combine(RepositoryRoot, ".local", "samples", name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"No sample {path}: run deploy/local/samples.sh (scripts/test.sh does).");
    }

    public void Dispose()
    {
        Reader.Dispose();
        if (_freeShapesReader.IsValueCreated)
        {
            _freeShapesReader.Value.Dispose();
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Pipeline.sln above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(PaddleOcrFixture.Collection)]
public sealed class PaddleOcrTests : ICollectionFixture<PaddleOcrFixture>;
