namespace Pipeline.Worker.Hosting;

/// <summary>Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Apply pending EF Core migrations when the worker starts. Off by default: production applies them once with
    /// <c>pipeline migrate</c> rather than from every replica.
    /// </summary>
    public bool MigrateOnStartup { get; set; }
}
