using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// A text tower of its own for search queries (section <c>Models:QueryEmbedder</c>): M-CLIP's multilingual
/// XLM-Roberta-Large-Vit-B-32 in Immich's layout, which queries the CLIP ViT-B/32 image vectors already stored in
/// about 100 languages. Empty: queries go through the image embedder's own (English) CLIP text tower.
/// </summary>
public sealed class QueryEmbedderOptions : IModelFolderOptions
{
    public const string Section = "Models:QueryEmbedder";

    public static string SectionName => Section;

    /// <summary>The model folder (<c>textual/model.onnx</c> with its external-data files, <c>textual/tokenizer.json</c>).</summary>
    public string Path { get; set; } = "";

    public bool IsWanted => !string.IsNullOrWhiteSpace(Path);

    /// <summary>Defaults to the stand-in marker's id, the fetch lock's id or the folder name.</summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Ids of the image towers whose vectors this tower can query. Empty: what its <c>model.lock.json</c> says (the
    /// manifest pairs each text tower with its image towers) or, for a stand-in, its <c>stand-in.json</c>.
    /// </summary>
    public List<string> Queries { get; set; } = [];

    /// <summary>The image towers this tower can query, by configuration, fetch lock or stand-in marker; empty when none says.</summary>
    public IReadOnlyList<string> QueriedImageModels() =>
        Queries.Count > 0 ? Queries
        : ModelLock.TryRead(Path)?.Queries
        ?? StandInMarker.TryRead(Path)?.Queries
        ?? [];
}
