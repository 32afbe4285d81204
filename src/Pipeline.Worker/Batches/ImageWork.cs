using System.Buffers;
using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Inference.Ocr;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Batches;

/// <summary>One image's state as it moves through the stages of a batch.</summary>
public sealed class ImageWork(ImageUploaded message) : IDisposable
{
    public ImageUploaded Message { get; } = message;

    public string ImageId => Message.ImageId;

    public byte[]? Bytes { get; set; }

    public string? ContentSha256 { get; set; }

    /// <summary>The version of the source the bytes were read from (a blob's ETag), once fetched.</summary>
    public string? SourceVersion { get; set; }

    /// <summary>Size as uploaded and after downscaling, kept after the bitmap is released.</summary>
    public (int Width, int Height, int ProcessedWidth, int ProcessedHeight)? Size { get; set; }

    /// <summary>The embedder's input for this image (CHW floats), rented from the pool and returned on release.</summary>
    public float[]? EmbedderPixels { get; set; }

    /// <summary>The captioner's input (its own size and normalisation), when a captioner is configured.</summary>
    public float[]? CaptionerPixels { get; set; }

    /// <summary>The picture as sent to the OpenAI-compatible captioner, when that is the captioner.</summary>
    public byte[]? ChatJpeg { get; set; }

    public float[]? Embedding { get; set; }

    public CaptionResult? Caption { get; set; }

    public ChatDescription? ChatDescription { get; set; }

    /// <summary>The decoded picture, kept after decoding only while a text reader still needs it.</summary>
    public DecodedImage? Image { get; set; }

    public OcrResult? Ocr { get; set; }

    public ImageRejectedException? Rejection { get; private set; }

    public bool IsRejected => Rejection is not null;

    public Dictionary<string, double> TimingsMs { get; } = [];

    /// <summary>This image's span in its producer's trace; each stage's span goes under it.</summary>
    public Activity? Trace { get; init; }

    public void Reject(ImageRejectedException rejection)
    {
        Rejection = rejection;
        ReleaseImage();
    }

    /// <summary>
    /// Runs a stage step for this image in a span named <paramref name="stage"/>, recording how long it took under
    /// that name.
    /// </summary>
    public async Task TimeAsync(string stage, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        using var span = PipelineActivities.StartStage(stage, Trace);
        var rejectedBefore = IsRejected;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await step().ConfigureAwait(false);
            if (!rejectedBefore && Rejection is { } rejection)
            {
                span?.SetTag("pipeline.failure.reason", rejection.Reason);
            }
        }
        catch (Exception exception)
        {
            PipelineActivities.Fail(span, exception);
            throw;
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
        ChatJpeg = null;
        EmbedderPixels = Return(EmbedderPixels);
        CaptionerPixels = Return(CaptionerPixels);
    }

    public void Dispose() => ReleaseImage();

    private static float[]? Return(float[]? pooled)
    {
        if (pooled is not null)
        {
            ArrayPool<float>.Shared.Return(pooled);
        }

        return null;
    }
}
