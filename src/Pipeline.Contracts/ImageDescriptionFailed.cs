namespace Pipeline.Contracts;

/// <summary>Published when an image cannot be described for a reason that retrying will not fix.</summary>
/// <param name="Reason">A stable, machine-readable code from <see cref="FailureReasons"/>.</param>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="SourceVersion">The version of the source that failed (a blob's ETag), when known.</param>
public sealed record ImageDescriptionFailed(
    string ImageId,
    string OwnerId,
    string Reason,
    string Message,
    string? SourceVersion = null);
