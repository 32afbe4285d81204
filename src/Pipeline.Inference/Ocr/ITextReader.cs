using SkiaSharp;

namespace Pipeline.Inference.Ocr;

/// <summary>Reads the text in a batch of upright images: detection over the batch, then recognition of every line.</summary>
public interface ITextReader
{
    /// <summary>Stored with the text, so readings of different model sets are never mixed up.</summary>
    string ModelId { get; }

    /// <returns>One result per image, in input order; lines in reading order (top to bottom, left to right).</returns>
    Task<IReadOnlyList<OcrResult>> ReadAsync(IReadOnlyList<SKBitmap> images, CancellationToken cancellationToken);
}
