using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Sources.Urls;

namespace Pipeline.Sources;

/// <summary>Dispatches on <see cref="ImageSource.Type"/>.</summary>
public sealed class ImageFetcher(BlobImageFetcher blobs, UrlImageFetcher urls, IOptions<SourceOptions> options) : IImageFetcher
{
    private readonly SourceOptions _options = options.Value;

    public Task<FetchedImage> FetchAsync(ImageSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Type switch
        {
            ImageSourceTypes.Blob => blobs.FetchAsync(
                source.Uri ?? throw new ImageRejectedException(FailureReasons.InvalidMessage, "A blob source needs a 'uri'."),
                cancellationToken),
            ImageSourceTypes.Inline => Task.FromResult(new FetchedImage(Inline(source.Data), null)),
            ImageSourceTypes.Url => FetchUrlAsync(
                source.Uri ?? throw new ImageRejectedException(FailureReasons.InvalidMessage, "A url source needs a 'uri'."),
                cancellationToken),
            _ => throw new ImageRejectedException(
                FailureReasons.UnknownSourceType,
                $"Unknown source type '{source.Type}'; expected '{ImageSourceTypes.Blob}', '{ImageSourceTypes.Inline}' or '{ImageSourceTypes.Url}'."),
        };
    }

    private async Task<FetchedImage> FetchUrlAsync(Uri uri, CancellationToken cancellationToken) =>
        new(await urls.FetchAsync(uri, cancellationToken).ConfigureAwait(false), null);

    private byte[] Inline(string? data)
    {
        if (data is null)
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, "An inline source needs 'data' (base64 image bytes).");
        }

        // Checked before decoding: a huge string must not become a huge array first.
        var declared = (long)data.Length * 3 / 4;
        if (declared > _options.MaxInlineBytes + 2)
        {
            throw TooLarge(declared);
        }

        var bytes = InlineData.Decode(data);
        return bytes.Length <= _options.MaxInlineBytes ? bytes : throw TooLarge(bytes.Length);
    }

    private ImageRejectedException TooLarge(long bytes) => new(
        FailureReasons.TooManyBytes,
        $"The inline image has {bytes:N0} bytes; inline images are limited to {_options.MaxInlineBytes:N0} (upload larger ones as blobs).");
}
