namespace Pipeline.Contracts;

/// <summary>
/// The in-process form of <see cref="ImageDescriptionFailed"/>: an image that can never be described, for a reason
/// that retrying will not change. Stages throw it for one image; the batch goes on without that image.
/// </summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(string reason, string message, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
    }

    /// <summary>One of <see cref="FailureReasons"/>.</summary>
    public string Reason { get; }
}
