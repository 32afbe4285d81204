using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Sources.Watching;

namespace Pipeline.Api.Images;

/// <summary>Keeps thumbnails out of the containers whose blobs are images to describe.</summary>
public sealed class ThumbnailOptionsValidator(IOptions<ApiOptions> api, IOptions<BlobWatchOptions> watch) : IValidateOptions<ThumbnailOptions>
{
    public ValidateOptionsResult Validate(string? name, ThumbnailOptions options)
    {
        var errors = new List<string>();
        if (options.Container == api.Value.Container)
        {
            errors.Add("Api:Thumbnails:Container must not be Api:Container: thumbnails are no uploads.");
        }

        if (watch.Value.Containers.Any(c => c.Name == options.Container))
        {
            errors.Add("Api:Thumbnails:Container must not be one of BlobWatch:Containers: thumbnails are no images to describe.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
