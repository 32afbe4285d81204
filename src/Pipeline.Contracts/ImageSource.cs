namespace Pipeline.Contracts;

/// <summary>Where an image's bytes are. <see cref="Type"/> says which of the other fields is used.</summary>
/// <param name="Type">One of <see cref="ImageSourceTypes"/>.</param>
/// <param name="Uri">The blob's URI when <see cref="Type"/> is <c>blob</c>; the image's web address when it is <c>url</c>.</param>
/// <param name="Data">The image bytes (base64 in JSON) when <see cref="Type"/> is <c>inline</c>.</param>
public sealed record ImageSource(string Type, Uri? Uri = null, byte[]? Data = null)
{
    public static ImageSource Blob(Uri uri) => new(ImageSourceTypes.Blob, Uri: uri);

    public static ImageSource Inline(byte[] data) => new(ImageSourceTypes.Inline, Data: data);

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
