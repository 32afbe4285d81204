using System.ComponentModel.DataAnnotations;
using Pipeline.Messaging;

namespace Pipeline.Api.Hosting;

/// <summary>Section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Azure's rule for container names: 3–63 lowercase letters, digits and single hyphens, no hyphen at either end.</summary>
    public const string ContainerNamePattern = "^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$";

    /// <summary>Blob container uploads go to, as <c>{owner}/{id}</c> (the worker's Sources:AllowedContainers must allow it).</summary>
    [Required]
    [RegularExpression(ContainerNamePattern, ErrorMessage = "Api:Container must be a valid blob container name.")]
    public string Container { get; set; } = "images";

    /// <summary>The worker's input queue (its Batching:QueueName).</summary>
    [Required]
    public string QueueName { get; set; } = QueueNames.ImageUploaded;

    /// <summary>Largest accepted image; larger uploads get 413 before anything is stored. Keep it at most the worker's Sources:MaxBytes.</summary>
    [Range(1, 1L << 31)]
    public long MaxImageBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest request body (Kestrel and multipart limit): several images in one describe request share it.</summary>
    [Range(1, 1L << 32)]
    public long MaxRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most images in one describe request.</summary>
    [Range(1, 100)]
    public int MaxImagesPerRequest { get; set; } = 8;

    /// <summary>How long a synchronous describe waits for the worker before answering 504 with the status URL.</summary>
    [Range(1, 600)]
    public int DescribeTimeoutSeconds { get; set; } = 60;

    /// <summary>Owners allowed to change the downscale settings, which apply to every owner's images.</summary>
    public IList<string> SettingsAdministrators { get; } = [];
}
