using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Imaging;

namespace Pipeline.Worker.Batches;

/// <summary>One image's state as it moves through the stages of a batch.</summary>
public sealed class ImageWork(ImageUploaded message) : IDisposable
{
    public ImageUploaded Message { get; } = message;

    public string ImageId => Message.ImageId;

    public byte[]? Bytes { get; set; }

    public string? ContentSha256 { get; set; }

    public DecodedImage? Image { get; set; }

    /// <summary>Size as uploaded and after downscaling, kept after the bitmap is released.</summary>
    public (int Width, int Height, int ProcessedWidth, int ProcessedHeight)? Size { get; set; }

    /// <summary>The embedder's input for this image (CHW floats), rented from the pool and returned on dispose.</summary>
    public float[]? Pixels { get; set; }

    public float[]? Embedding { get; set; }

    public ImageRejectedException? Rejection { get; private set; }

    public bool IsRejected => Rejection is not null;

    public Dictionary<string, double> TimingsMs { get; } = [];

    public void Reject(ImageRejectedException rejection)
    {
        Rejection = rejection;
        ReleaseImage();
    }

    /// <summary>Runs a stage step for this image, recording how long it took under <paramref name="stage"/>.</summary>
    public async Task TimeAsync(string stage, Func<Task> step)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await step().ConfigureAwait(false);
        }
        finally
        {
            TimingsMs[stage] = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        }
    }

    public void ReleaseImage()
    {
        Image?.Dispose();
        Image = null;
        Bytes = null;
        if (Pixels is not null)
        {
            System.Buffers.ArrayPool<float>.Shared.Return(Pixels);
            Pixels = null;
        }
    }

    public void Dispose() => ReleaseImage();
}
