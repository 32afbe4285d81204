using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Contract;

/// <summary>
/// Who produced a result: the id stored beside it, whether the model is a generated stand-in (its results then mean
/// nothing and are marked so), and where its files or answers come from. Every model derives it here.
/// </summary>
/// <param name="Source">The model's folder, or the endpoint a remote model answers from.</param>
public sealed record ModelIdentity(string ModelId, bool IsStandIn, string Source)
{
    /// <summary>
    /// A model loaded from <paramref name="folder"/>: the configured id wins, then the stand-in marker's, then the
    /// fetch lock's, then <paramref name="defaultId"/> (the folder's name when none is given).
    /// </summary>
    public static ModelIdentity OfFolder(string folder, string? configuredId, string? defaultId = null)
    {
        var marker = StandInMarker.TryRead(folder);
        var id = Present(configuredId)
            ?? marker?.ModelId
            ?? Present(ModelLock.TryRead(folder)?.Id)
            ?? defaultId
            ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var fetched = ModelLock.TryRead(folder)?.Source;
        return new ModelIdentity(id, marker is not null, fetched is null ? folder : $"{folder} (fetched from {fetched})");
    }

    /// <summary>A model answering over the network: real by definition, known by its configured id or its served name.</summary>
    public static ModelIdentity Remote(string? configuredId, string servedModel, Uri? endpoint) =>
        new(Present(configuredId) ?? servedModel, IsStandIn: false, endpoint?.ToString() ?? "the OpenAI API");

    private static string? Present(string? id) => string.IsNullOrWhiteSpace(id) ? null : id;
}
