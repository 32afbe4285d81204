using System.Buffers;
using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Budget;
using Pipeline.Imaging.Tensors;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Reading;

namespace Pipeline.Worker.Stages.Decoding;

/// <summary>
/// Decodes, orients and downscales an image, then writes each model's input tensor for it (CPU). The header is read
/// first, and the decode waits for its pixels in the worker's <see cref="DecodeBudget"/>.
/// </summary>
public sealed partial class DecodeStage(
    DecoderSource decoders,
    DecodeBudget budget,
    OptionalEmbedder embedder,
    OptionalCaptioner captioner,
    OptionalChatCaptioner chatCaptioner,
    OptionalTextReader textReader,
    ILogger<DecodeStage> logger)
{
    public Task RunAsync(ImageWork work, CancellationToken cancellationToken)
    {
        if (work.IsRejected || work.Bytes is null)
        {
            return Task.CompletedTask;
        }

        return work.TimeAsync(StageNames.Decode, async () =>
        {
            var decoder = await decoders.CurrentAsync(cancellationToken).ConfigureAwait(false);
            long pixels;
            try
            {
                pixels = decoder.ReadHeader(work.Bytes).Pixels;
            }
            catch (ImageRejectedException rejection)
            {
                work.Reject(rejection);
                return;
            }

            using (await budget.AcquireAsync(pixels, cancellationToken).ConfigureAwait(false))
            {
                await Task.Run(() => Decode(decoder, work, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        });
    }

    private void Decode(ImageDecoder decoder, ImageWork work, CancellationToken cancellationToken)
    {
        try
        {
            var image = decoder.Decode(work.Bytes!, cancellationToken);
            work.Bytes = null;
            // The text reader works on the picture itself (at its own resolution), after the tensors are written.
            work.Image = image;
            work.Size = (image.OriginalWidth, image.OriginalHeight, image.Width, image.Height);
            if (embedder.Instance is { } clip)
            {
                work.EmbedderPixels = Tensor(image, clip.Preprocessing);
            }
            if (captioner.Instance is { } captionModel)
            {
                work.CaptionerPixels = Tensor(image, captionModel.Preprocessing);
            }
            if (chatCaptioner.Instance is { } chat)
            {
                work.ChatJpeg = JpegExport.Encode(image, chat.ImageMaxSide);
            }

            if (textReader.Instance is null)
            {
                work.Image = null;
                image.Dispose();
            }
        }
        catch (ImageRejectedException rejection)
        {
            work.Reject(rejection);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // A decoder fault on one file is that file's problem, not the batch's: it must not cost the neighbours.
            LogDecoderFault(logger, e, work.ImageId);
            work.Reject(new ImageRejectedException(FailureReasons.CorruptImage, $"The image could not be decoded: {e.Message}", e));
        }
    }

    private static float[] Tensor(DecodedImage image, PreprocessorConfig spec)
    {
        var pixels = ArrayPool<float>.Shared.Rent(spec.TensorLength);
        TensorWriter.Write(image.Bitmap, spec, pixels.AsSpan(0, spec.TensorLength));
        return pixels;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decoder fault on image {ImageId}")]
    private static partial void LogDecoderFault(ILogger logger, Exception exception, string imageId);
}
