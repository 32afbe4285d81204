namespace Pipeline.StandInModels;

/// <summary>
/// The repository's <c>models/vocab</c> folder (real vocabularies and configs with their provenance), which the build
/// copies next to this assembly as <c>vocab/</c>: the generator and the tests read it from there and from nowhere else.
/// </summary>
public static class VocabFiles
{
    /// <summary>The copy beside the assembly.</summary>
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "vocab");

    /// <summary>A family's folder (<c>clip-vit-base-patch32</c>, <c>vit-gpt2-image-captioning</c>, …) under <see cref="Root"/>.</summary>
    public static string Folder(string family) => Path.Combine(Root, family);
}
