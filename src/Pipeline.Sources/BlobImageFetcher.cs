using Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Sources.Watching;

namespace Pipeline.Sources;

/// <summary>
/// Streams a blob from the configured storage account, refusing other accounts (a message must not make the
/// worker reach arbitrary hosts) and stopping as soon as the byte cap is passed.
/// </summary>
public sealed class BlobImageFetcher(BlobServiceClient service, IOptions<SourceOptions> options)
{
    private readonly SourceOptions _options = options.Value;

    /// <returns>The bytes and the ETag of the version read, so a result names exactly what it describes.</returns>
    public async Task<FetchedImage> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        var blob = Resolve(uri);
        try
        {
            var response = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var content = response.Value;
            var declared = content.Details.ContentLength;
            if (declared > _options.MaxBytes)
            {
                throw CappedReader.TooLarge(declared, _options.MaxBytes);
            }

            var bytes = await CappedReader.ReadAsync(content.Content, declared, _options.MaxBytes, cancellationToken).ConfigureAwait(false);
            return new FetchedImage(bytes, BlobAnnouncement.Version(content.Details.ETag));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new ImageRejectedException(
                FailureReasons.BlobNotFound,
                $"The blob '{blob.Name}' does not exist in container '{blob.BlobContainerName}' ({e.ErrorCode}).",
                e);
        }
    }

    private BlobClient Resolve(Uri uri)
    {
        BlobUriBuilder parts;
        try
        {
            parts = new BlobUriBuilder(uri);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, $"'{uri}' is not a blob URI.", e);
        }

        var sameAccount = string.Equals(parts.AccountName, service.AccountName, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Authority, service.Uri.Authority, StringComparison.OrdinalIgnoreCase);
        if (!sameAccount || string.IsNullOrEmpty(parts.BlobContainerName) || string.IsNullOrEmpty(parts.BlobName))
        {
            throw new ImageRejectedException(
                FailureReasons.BlobNotAllowed,
                $"'{uri}' is not a blob of the storage account this worker reads ({service.Uri}).");
        }

        if (_options.AllowedContainers.Count > 0 && !_options.AllowedContainers.Contains(parts.BlobContainerName))
        {
            throw new ImageRejectedException(
                FailureReasons.BlobNotAllowed,
                $"Container '{parts.BlobContainerName}' is not one of Sources:AllowedContainers.");
        }

        return service.GetBlobContainerClient(parts.BlobContainerName).GetBlobClient(parts.BlobName);
    }
}
