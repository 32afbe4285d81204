using Pipeline.Contracts;

namespace Pipeline.Sources;

/// <summary>
/// Gets an image's bytes. Throws <see cref="ImageRejectedException"/> for problems of the image itself (missing,
/// too large, unknown source); any other exception is an infrastructure fault and the batch is retried.
/// </summary>
public interface IImageFetcher
{
    Task<byte[]> FetchAsync(ImageSource source, CancellationToken cancellationToken);
}
