using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Pipeline.Api.Images;

/// <summary>
/// The thumbnails container: each thumbnail made once and kept as <c>{owner}/{original}/{etag}/w{width}.webp</c>.
/// <c>original</c> is a digest of the original's container and name (watched blobs' names may be long and hold any
/// character), <c>etag</c> the original's ETag when the thumbnail was made, so an overwritten original gets new
/// thumbnails; the owner prefix keeps each owner's thumbnails apart even where two owners' images share an original.
/// </summary>
public sealed class ThumbnailBlobs(BlobServiceClient service, IOptions<ThumbnailOptions> options)
{
    private readonly BlobContainerClient _container = service.GetBlobContainerClient(options.Value.Container);
    private volatile bool _containerExists;

    public BlobClient Blob(string owner, BlobClient original, ETag originalETag, int width)
    {
        var source = SHA256.HashData(Encoding.UTF8.GetBytes($"{original.BlobContainerName}/{original.Name}"));
        return _container.GetBlobClient($"{owner}/{Convert.ToHexStringLower(source, 0, 16)}/{originalETag.ToString().Trim('"')}/w{width}.webp");
    }

    /// <summary>The stored thumbnail, streamed; null when it has not been made yet.</summary>
    public async Task<Stream?> OpenAsync(BlobClient thumbnail, CancellationToken cancellationToken)
    {
        try
        {
            var download = await thumbnail.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return download.Value.Content;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The stored thumbnail's bytes; null when it has not been made yet.</summary>
    public async Task<byte[]?> ReadAsync(BlobClient thumbnail, CancellationToken cancellationToken)
    {
        try
        {
            var download = await thumbnail.DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Stores a thumbnail; another instance that made the same one meanwhile wrote the same bytes.</summary>
    public async Task StoreAsync(BlobClient thumbnail, byte[] webp, CancellationToken cancellationToken)
    {
        if (!_containerExists)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }

        await thumbnail.UploadAsync(new BinaryData(webp), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = Thumbnails.MediaType },
        }, cancellationToken).ConfigureAwait(false);
    }
}
