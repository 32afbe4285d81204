using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Owners;
using Pipeline.Contracts;

namespace Pipeline.Api.Uploads;

/// <summary>
/// The upload container: each owner's images as <c>{owner}/{id}</c>, written once (an id never changes its bytes),
/// with their SHA-256 in the blob's metadata so a repeated upload can be recognised.
/// </summary>
public sealed class ImageBlobs(BlobServiceClient service, IOptions<ApiOptions> options)
{
    private const string HashMetadata = "sha256";

    private readonly BlobContainerClient _container = service.GetBlobContainerClient(options.Value.Container);
    private volatile bool _containerExists;

    public BlobClient Blob(string owner, string imageId) => _container.GetBlobClient(ImageIds.RowId(owner, imageId));

    /// <summary>Stores the image unless its id is taken; the same bytes under the same id count as stored.</summary>
    public async Task<StoreOutcome> StoreAsync(string owner, IncomingImage image, CancellationToken cancellationToken)
    {
        if (!_containerExists)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _containerExists = true;
        }

        var blob = Blob(owner, image.ImageId);
        try
        {
            await blob.UploadAsync(new BinaryData(image.Bytes), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = image.MediaType },
                Metadata = new Dictionary<string, string> { [HashMetadata] = image.ContentHash },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
            return StoreOutcome.Created;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            var existing = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return existing.Value.Metadata.TryGetValue(HashMetadata, out var hash) && hash == image.ContentHash
                ? StoreOutcome.AlreadyStored
                : StoreOutcome.IdTaken;
        }
    }

    public Task DeleteAsync(string owner, string imageId, CancellationToken cancellationToken) =>
        Blob(owner, imageId).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    /// <summary>A blob of this storage account named by a stored row, or null for any other address.</summary>
    public BlobClient? InAccount(Uri uri)
    {
        var parts = new BlobUriBuilder(uri);
        var sameAccount = string.Equals(parts.AccountName, service.AccountName, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, service.Uri.Authority, StringComparison.OrdinalIgnoreCase);
        return sameAccount && !string.IsNullOrEmpty(parts.BlobContainerName) && !string.IsNullOrEmpty(parts.BlobName)
            ? service.GetBlobContainerClient(parts.BlobContainerName).GetBlobClient(parts.BlobName)
            : null;
    }
}

public enum StoreOutcome
{
    Created,
    AlreadyStored,
    IdTaken,
}
