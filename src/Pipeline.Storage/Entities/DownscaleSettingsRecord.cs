namespace Pipeline.Storage.Entities;

/// <summary>
/// The downscale settings set through the API (table <c>downscale_settings</c>, at most one row). Every worker reads
/// it, so one change reaches them all; without a row each worker uses its own <c>Imaging</c> configuration.
/// </summary>
public sealed class DownscaleSettingsRecord
{
    /// <summary>The single row's key.</summary>
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public int MaxSide { get; set; }

    public int MinSide { get; set; }

    /// <summary>The owner who made the change, for the audit trail.</summary>
    public required string UpdatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
