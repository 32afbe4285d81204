using Microsoft.Extensions.Logging;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Budget;
using Pipeline.Inference.Contract;
using Pipeline.Worker.Device;
using Pipeline.Worker.Results;

namespace Pipeline.Worker.Processing.Decoding;

/// <summary>
/// Decodes, orients and downscales an image, then prepares what each enabled model needs from it (CPU: tensors, a
/// JPEG, the picture). The header is read first, and the decode waits for its pixels in the worker's
/// <see cref="DecodeBudget"/>.
/// </summary>
public sealed partial class DecodeStage(
    DecoderSource decoders,
    DecodeBudget budget,
    EnabledModels models,
    ILogger<DecodeStage> logger)
{
    public Task RunAsync(ImageWork work, CancellationToken cancellationToken)
    {
        if (work.IsRejected || work.TakeBytes() is not { } bytes)
        {
            return Task.CompletedTask;
        }

        return work.TimeAsync(StageNames.Decode, async () =>
        {
            var decoder = await decoders.CurrentAsync(cancellationToken).ConfigureAwait(false);
            long pixels;
            try
            {
                pixels = decoder.ReadHeader(bytes).Pixels;
            }
            catch (ImageRejectedException rejection)
            {
                work.Reject(rejection);
                return;
            }

            using (await budget.AcquireAsync(pixels, cancellationToken).ConfigureAwait(false))
            {
                await Task.Run(() => Decode(decoder, bytes, work, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        });
    }

    private void Decode(ImageDecoder decoder, byte[] bytes, ImageWork work, CancellationToken cancellationToken)
    {
        try
        {
            var image = decoder.Decode(bytes, cancellationToken);
            var size = new ImageSize(image.OriginalWidth, image.OriginalHeight, image.Width, image.Height);
            work.Decoded(size, ModelInputs.Prepare(work.ImageId, work.Message.Task, image, models.Needs));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Decoder fault on image {ImageId}")]
    private static partial void LogDecoderFault(ILogger logger, Exception exception, string imageId);
}
