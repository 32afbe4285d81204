namespace Pipeline.Contracts;

/// <summary>Where an image's bytes are. <see cref="Type"/> says which of the other fields is used.</summary>
/// <param name="Type">One of <see cref="ImageSourceTypes"/>.</param>
/// <param name="Uri">The blob's URI when <see cref="Type"/> is <c>blob</c>; the image's web address when it is <c>url</c>.</param>
/// <param name="Data">The image bytes as standard base64 when <see cref="Type"/> is <c>inline</c>. Kept as sent: text that
/// is not valid base64 fails that one image with <c>invalid-inline-data</c>, it does not make the message unreadable.</param>
public sealed record ImageSource(string Type, Uri? Uri = null, string? Data = null)
{
    public static ImageSource Blob(Uri uri) => new(ImageSourceTypes.Blob, Uri: uri);

    public static ImageSource Inline(byte[] data) => new(ImageSourceTypes.Inline, Data: Convert.ToBase64String(data));

    public static ImageSource Url(Uri uri) => new(ImageSourceTypes.Url, Uri: uri);
}

public static class ImageSourceTypes
{
    /// <summary>An Azure Blob Storage URI in a container the worker is configured to read.</summary>
    public const string Blob = "blob";

    /// <summary>Small images carried in the message itself.</summary>
    public const string Inline = "inline";

    /// <summary>An https address on the public internet, fetched by the worker through its SSRF guard.</summary>
    public const string Url = "url";
}
