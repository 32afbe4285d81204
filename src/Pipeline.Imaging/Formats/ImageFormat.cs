namespace Pipeline.Imaging.Formats;

/// <summary>The picture formats the pipeline describes, each with the names it is known by.</summary>
/// <param name="Name">Lowercase name stored with the result (<c>jpeg</c>, <c>heic</c>, …).</param>
/// <param name="MediaType">The IANA media type uploads carry.</param>
/// <param name="Display">How a person names it in a message.</param>
public sealed record ImageFormat(string Name, string MediaType, string Display)
{
    public static readonly ImageFormat Jpeg = new("jpeg", "image/jpeg", "JPEG");
    public static readonly ImageFormat Png = new("png", "image/png", "PNG");
    public static readonly ImageFormat Gif = new("gif", "image/gif", "GIF");
    public static readonly ImageFormat WebP = new("webp", "image/webp", "WebP");
    public static readonly ImageFormat Bmp = new("bmp", "image/bmp", "BMP");
    public static readonly ImageFormat Tiff = new("tiff", "image/tiff", "TIFF");
    public static readonly ImageFormat Heic = new("heic", "image/heic", "HEIC");
    public static readonly ImageFormat Avif = new("avif", "image/avif", "AVIF");
    public static readonly ImageFormat JpegXl = new("jxl", "image/jxl", "JPEG XL");

    /// <summary>Every format, in the order messages list them.</summary>
    public static IReadOnlyList<ImageFormat> All { get; } = [Jpeg, Png, WebP, Gif, Bmp, Tiff, Heic, Avif, JpegXl];

    /// <summary>"JPEG, PNG, …, AVIF or JPEG XL": what a refusal says may be sent instead.</summary>
    public static string Accepted { get; } = string.Join(", ", All.Take(All.Count - 1).Select(f => f.Display)) + " or " + All[^1].Display;
}
