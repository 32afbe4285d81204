namespace Pipeline.Inference.Contract;

/// <summary>
/// A model the worker runs over every decoded image: it says who it is, which part of the result it fills, what it
/// needs from the picture, and runs over a batch of images at once. The worker names no model: it prepares the needs,
/// schedules the batched runs and adds each result to the image's row.
/// </summary>
public interface IImageModel : IDisposable
{
    ModelIdentity Identity { get; }

    ModelRole Role { get; }

    ImageNeed Needs { get; }

    /// <summary>
    /// True for a model answering over the network: its run goes beside the device's passes instead of holding the
    /// device while it waits.
    /// </summary>
    bool IsRemote => false;

    /// <summary>Task kinds (<c>CaptionTaskKinds</c>) this model answers besides the plain caption.</summary>
    IReadOnlyCollection<string> TaskKinds => [];

    /// <summary>How it is set up, for the start-up log (beams, dimensions, endpoint).</summary>
    string Settings { get; }

    /// <summary>Runs over <paramref name="images"/> as one batch.</summary>
    /// <returns>One result per image, in input order.</returns>
    Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken);
}
