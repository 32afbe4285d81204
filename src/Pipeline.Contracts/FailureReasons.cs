namespace Pipeline.Contracts;

/// <summary>
/// Stable reason codes of <see cref="ImageDescriptionFailed"/>. Codes are never renamed; new ones may be added.
/// </summary>
public static class FailureReasons
{
    public const string EmptyFile = "empty-file";
    public const string TooManyBytes = "too-many-bytes";
    public const string TooManyPixels = "too-many-pixels";
    public const string UnrecognizedFormat = "unrecognized-format";
    public const string UnsupportedFormat = "unsupported-format";
    public const string TruncatedImage = "truncated-image";
    public const string CorruptImage = "corrupt-image";

    /// <summary>Decoding the image took longer than the worker allows one image (<c>Imaging:DecodeTimeoutMs</c>).</summary>
    public const string DecodeTimeout = "decode-timeout";

    /// <summary>An <c>inline</c> source whose data is not valid base64.</summary>
    public const string InvalidInlineData = "invalid-inline-data";

    /// <summary>Describing the image stopped the worker process again and again (it was tried alone each time).</summary>
    public const string WorkerCrashed = "worker-crashed";
    public const string ContentHashMismatch = "content-hash-mismatch";
    public const string BlobNotFound = "blob-not-found";
    public const string BlobNotAllowed = "blob-not-allowed";
    public const string UrlNotAllowed = "url-not-allowed";
    public const string UrlNotFound = "url-not-found";
    public const string UrlFetchFailed = "url-fetch-failed";
    public const string UnsupportedContentType = "unsupported-content-type";
    public const string UnknownSourceType = "unknown-source-type";
    public const string InvalidMessage = "invalid-message";

    /// <summary>The message's task is unknown, incomplete, or not one the configured captioner answers.</summary>
    public const string UnsupportedTask = "unsupported-task";

    /// <summary>The captioning provider's content filter withheld this image's description.</summary>
    public const string ContentFiltered = "content-filtered";

    /// <summary>The captioning model declined to describe this image.</summary>
    public const string CaptionRefused = "caption-refused";

    /// <summary>The captioning model ran out of output tokens before finishing this image's answer.</summary>
    public const string CaptionTruncated = "caption-truncated";

    /// <summary>The captioning provider refused this image (e.g. too large, unreadable) or answered it unreadably.</summary>
    public const string CaptionFailed = "caption-failed";
}
