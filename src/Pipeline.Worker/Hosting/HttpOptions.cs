using System.ComponentModel.DataAnnotations;

namespace Pipeline.Worker.Hosting;

/// <summary>The worker's own small HTTP server (section <c>Http</c>): health and metrics.</summary>
public sealed class HttpOptions
{
    public const string Section = "Http";

    /// <summary>
    /// Where it listens, Kestrel syntax, <c>;</c>-separated. Loopback by default; a container or a Kubernetes probe
    /// needs <c>http://+:8081</c>.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string Urls { get; set; } = "http://127.0.0.1:8081";
}
