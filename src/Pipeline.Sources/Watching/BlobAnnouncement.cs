using System.Security.Cryptography;
using System.Text;
using Azure;
using Pipeline.Contracts;

namespace Pipeline.Sources.Watching;

/// <summary>
/// How a blob becomes an <see cref="ImageUploaded"/>, the same for the watcher and for pushed blob events, so that
/// either way a blob has one ImageId and each of its versions one SourceVersion.
/// </summary>
public static class BlobAnnouncement
{
    private const string Scheme = "blob:";

    /// <summary>
    /// <c>blob:{container}/{name}</c>; when that is longer than <see cref="ImageUploaded.MaxIdLength"/> or the name has
    /// control characters (which an id may not), <c>blob:{container}/sha256:{hex of the name's UTF-8}</c> instead.
    /// </summary>
    public static string ImageId(string container, string name)
    {
        var id = $"{Scheme}{container}/{name}";
        return id.Length <= ImageUploaded.MaxIdLength && !name.Any(char.IsControl)
            ? id
            : $"{Scheme}{container}/sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))}";
    }

    /// <summary>
    /// An ETag as a version string. The SDK gives an ETag with quotes from a download's header, Azure's listings and
    /// Event Grid give it bare: both become the bare value, so the same version compares equal wherever it was read.
    /// </summary>
    public static string Version(ETag etag) => Version(etag.ToString());

    /// <inheritdoc cref="Version(ETag)"/>
    public static string Version(string etag)
    {
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    public static ImageUploaded Message(Uri blobUri, string container, string name, string version, string owner) =>
        new(ImageId(container, name), owner, ImageSource.Blob(blobUri), SourceVersion: version);
}
