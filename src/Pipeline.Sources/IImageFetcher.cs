using Pipeline.Contracts;

namespace Pipeline.Sources;

/// <summary>
/// Gets an image's bytes. Throws <see cref="ImageRejectedException"/> for problems of the image itself (missing,
/// too large, unknown source); any other exception is an infrastructure fault and the batch is retried.
/// </summary>
public interface IImageFetcher
{
    Task<FetchedImage> FetchAsync(ImageSource source, CancellationToken cancellationToken);
}

/// <summary>An image's bytes and the version of the source they were read from (a blob's ETag; null inline).</summary>
public sealed record FetchedImage(byte[] Bytes, string? Version);
