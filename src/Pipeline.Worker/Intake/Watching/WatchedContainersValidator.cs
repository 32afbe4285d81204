using Microsoft.Extensions.Options;
using Pipeline.Sources;
using Pipeline.Sources.Watching;

namespace Pipeline.Worker.Intake.Watching;

/// <summary>
/// The worker's own rule on <see cref="BlobWatchOptions"/> (the API watches no container itself): it must be allowed to
/// read every container it watches.
/// </summary>
public sealed class WatchedContainersValidator(IOptions<SourceOptions> sources) : IValidateOptions<BlobWatchOptions>
{
    public ValidateOptionsResult Validate(string? name, BlobWatchOptions options)
    {
        var allowed = sources.Value.AllowedContainers;
        return allowed.Count == 0 || options.Containers.All(c => allowed.Contains(c.Name))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Every BlobWatch:Containers:N:Name must be one of Sources:AllowedContainers (the worker could not read its blobs).");
    }
}
