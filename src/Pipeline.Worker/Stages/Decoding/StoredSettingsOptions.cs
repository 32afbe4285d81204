using System.ComponentModel.DataAnnotations;
using Pipeline.Imaging;

namespace Pipeline.Worker.Stages.Decoding;

/// <summary>How often the decode stage looks for downscale settings changed through the API (section <c>Imaging</c>).</summary>
public sealed class StoredSettingsOptions
{
    public const string Section = ImagingOptions.Section;

    /// <summary>
    /// How long the stored settings are reused before they are read again: a change reaches every worker within
    /// this time. 0 reads them for every image.
    /// </summary>
    [Range(0, 600_000)]
    public int StoredSettingsRefreshMs { get; set; } = 5_000;
}
