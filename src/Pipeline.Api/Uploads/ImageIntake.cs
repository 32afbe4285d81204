using MassTransit;
using Pipeline.Api.Hosting;
using Pipeline.Api.Owners;
using Pipeline.Contracts;
using Pipeline.Messaging;

namespace Pipeline.Api.Uploads;

/// <summary>
/// Stores checked images in the upload container and announces each to the worker's queue with
/// <see cref="ImageUploaded"/>. When a request cannot finish, the blobs it created and did not announce are removed
/// again: a blob nobody announced would never be described. (An announced one stays: removing it would make the
/// worker record the id as failed for good.)
/// </summary>
public sealed partial class ImageIntake(ImageBlobs blobs, IBus bus, InputQueueEndpoint queue, ILogger<ImageIntake> logger)
{

    /// <returns>The id that is taken by other bytes, or null when every image was stored and announced.</returns>
    public async Task<string?> AcceptAsync(string owner, IReadOnlyList<IncomingImage> images, CancellationToken cancellationToken)
    {
        var created = new List<string>(images.Count);
        try
        {
            foreach (var image in images)
            {
                var outcome = await blobs.StoreAsync(owner, image, cancellationToken).ConfigureAwait(false);
                if (outcome == StoreOutcome.IdTaken)
                {
                    await RemoveAsync(owner, created).ConfigureAwait(false);
                    return image.ImageId;
                }

                if (outcome == StoreOutcome.Created)
                {
                    created.Add(image.ImageId);
                }
            }

            var endpoint = await queue.GetAsync(bus, cancellationToken).ConfigureAwait(false);
            foreach (var image in images)
            {
                var message = new ImageUploaded(
                    ImageIds.RowId(owner, image.ImageId), owner, ImageSource.Blob(blobs.Blob(owner, image.ImageId).Uri), image.ContentHash);
                await endpoint.Send(message, cancellationToken).ConfigureAwait(false);
                created.Remove(image.ImageId);
                LogAnnounced(logger, image.ImageId, owner, image.Bytes.Length);
            }

            return null;
        }
        catch
        {
            await RemoveAsync(owner, created).ConfigureAwait(false);
            throw;
        }
    }

    private async Task RemoveAsync(string owner, List<string> imageIds)
    {
        foreach (var id in imageIds)
        {
            await blobs.DeleteAsync(owner, id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced image {ImageId} of owner {OwnerId} ({Bytes} bytes)")]
    private static partial void LogAnnounced(ILogger logger, string imageId, string ownerId, int bytes);
}
