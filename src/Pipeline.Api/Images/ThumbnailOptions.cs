using System.ComponentModel.DataAnnotations;
using Pipeline.Api.Hosting;

namespace Pipeline.Api.Images;

/// <summary>Where thumbnails are kept and how many are made at once (section <c>Api:Thumbnails</c>).</summary>
public sealed class ThumbnailOptions
{
    public const string Section = "Api:Thumbnails";

    /// <summary>
    /// Blob container of the thumbnails made so far (created on first use). Neither the upload container nor a
    /// watched one: its blobs are derived pictures, not images to describe.
    /// </summary>
    [Required]
    [RegularExpression(ApiOptions.ContainerNamePattern, ErrorMessage = "Api:Thumbnails:Container must be a valid blob container name.")]
    public string Container { get; set; } = "thumbnails";

    /// <summary>
    /// Thumbnails this instance makes at once. Making one decodes the original; the decoder's cost follows the thumbnail
    /// (a 64-megapixel PNG: tens of megabytes, a fraction of a second), so this mostly bounds the CPU the API spends on it.
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentRenders { get; set; } = 2;

    /// <summary>
    /// Thumbnails waiting for a turn; a request for one more is answered 503 with Retry-After. Requests for a
    /// thumbnail that is already waiting or being made share it and take no place in line.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxQueuedRenders { get; set; } = 100;
}
