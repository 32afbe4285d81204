namespace Pipeline.Api.Images;

/// <summary>More thumbnails are waiting to be made than Api:Thumbnails:MaxQueuedRenders allows.</summary>
public sealed class ThumbnailsBusyException : Exception
{
    public ThumbnailsBusyException()
        : base("Too many thumbnails are being made right now; ask again shortly.")
    {
    }

    public ThumbnailsBusyException(string message)
        : base(message)
    {
    }

    public ThumbnailsBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
