namespace Pipeline.Inference.Contract;

/// <summary>
/// A model the configuration may enable, as its own folder registers it (<see cref="ImageModels.AddImageModels"/>):
/// whether it is wanted, the folder its files are in (checked against its fetch lock before it loads), and how it
/// loads.
/// </summary>
/// <param name="Name">For logs and metrics: <c>image-embedder</c>, <c>captioner</c>, <c>text-reader</c>.</param>
/// <param name="Folder">The model's folder when it is wanted and loads from one; null when not wanted or remote.</param>
/// <param name="IsWanted">Whether the configuration enables it.</param>
/// <param name="Load">Loads it (ONNX sessions, tokenizers, clients); throws a one-line error when it cannot.</param>
public sealed record ImageModelRegistration(
    string Name,
    Func<IServiceProvider, bool> IsWanted,
    Func<IServiceProvider, string?> Folder,
    Func<IServiceProvider, IImageModel> Load);
