using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Embeddings;

/// <summary>
/// Refuses to start a search whose query tower cannot query the stored vectors: vectors of different towers live in
/// different spaces, and comparing them ranks by noise without any error. The image tower is named by its id, the one
/// stored beside every vector it made.
/// </summary>
public sealed class QueryEmbedderPairing(IOptions<ImageEmbedderOptions> images) : IValidateOptions<QueryEmbedderOptions>
{
    public ValidateOptionsResult Validate(string? name, QueryEmbedderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsWanted)
        {
            return ValidateOptionsResult.Success;
        }

        var image = images.Value;
        if (!image.IsWanted)
        {
            return ValidateOptionsResult.Fail(
                $"{QueryEmbedderOptions.Section}:Path is set but {ImageEmbedderOptions.Section}:Path is not: the query tower needs the image tower whose vectors it queries.");
        }

        var queried = options.QueriedImageModels();
        var imageId = ModelIdentity.OfFolder(image.Path, image.ModelId).ModelId;
        if (queried.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                $"{QueryEmbedderOptions.Section} ({options.Path}) does not say which image towers it can query: fetch it with 'pipeline models fetch' (the manifest pairs it) or list them in {QueryEmbedderOptions.Section}:Queries.");
        }

        return queried.Contains(imageId, StringComparer.Ordinal)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{QueryEmbedderOptions.Section} ({options.Path}) queries vectors of {string.Join(", ", queried)}, but {ImageEmbedderOptions.Section} is '{imageId}': its vectors are in another space. Use one of those image towers or leave {QueryEmbedderOptions.Section}:Path empty.");
    }
}
