namespace Pipeline.Inference.Runtime;

/// <summary>
/// The id stored with a model's results, and whether it is a generated stand-in: the configured id wins, then the
/// stand-in marker's, then the fetch lock's, then the folder name.
/// </summary>
public sealed record ModelIdentity(string ModelId, bool IsStandIn)
{
    public static ModelIdentity Of(string folder, string? configuredId)
    {
        var marker = StandInMarker.TryRead(folder);
        var id = configuredId
            ?? marker?.ModelId
            ?? ModelLock.TryRead(folder)?.Id
            ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        return new ModelIdentity(id, marker is not null);
    }
}
