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

    public PaddleOcrFixture()
    {
        var modelFolder = Path.Combine(RepositoryRoot, "models", "cache", "ppocr-v4");
        if (!File.Exists(Path.Combine(modelFolder, "model.lock.json")))
        {
            throw new InvalidOperationException($"The OCR models are not in {modelFolder}: run 'pipeline models fetch ppocr-v4' (scripts/test.sh does).");
        }

        Reader = new PaddleTextReader(new OcrOptions { Path = modelFolder }, Embeddings.StandInEmbedderFixture.CpuSessions());
    }

    public PaddleTextReader Reader { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Sample(string name)
    {
        var path = Path.Combine(RepositoryRoot, ".local", "samples", name);
        return File.Exists(path) ? path : throw new InvalidOperationException($"No sample {path}: run deploy/local/samples.sh (scripts/test.sh does).");
    }

    public void Dispose() => Reader.Dispose();

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
