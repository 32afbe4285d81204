using System.ComponentModel.DataAnnotations;

namespace Pipeline.Sources;

/// <summary>Limits on fetching (section <c>Sources</c>).</summary>
public sealed class SourceOptions
{
    public const string Section = "Sources";

    /// <summary>Largest accepted image; a download stops as soon as it passes this.</summary>
    [Range(1, 1L << 31)]
    public long MaxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest inline image accepted inside a message (messages are not a file transport).</summary>
    [Range(1, 16L * 1024 * 1024)]
    public long MaxInlineBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Containers the worker may read; empty allows every container of the configured account.</summary>
    public IList<string> AllowedContainers { get; } = [];
}
