using System.Diagnostics;
using Pipeline.Contracts;
using Pipeline.Inference.Contract;
using Pipeline.Worker.Results;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Processing;

/// <summary>
/// One image while its batch prepares it: what fetching and decoding found, or why it was rejected, and the inputs
/// prepared for the models, which it owns until the batch ends (the models only read them). Each step moves it on
/// through one method; the models' results do not come back here but as values (<see cref="Outcome"/>).
/// </summary>
public sealed class ImageWork(ImageUploaded message) : IDisposable
{
    private byte[]? _bytes;

    public ImageUploaded Message { get; } = message;

    public string ImageId => Message.ImageId;

    /// <summary>This image's span in its producer's trace; each stage's span goes under it.</summary>
    public Activity? Trace { get; init; }

    public Dictionary<string, double> TimingsMs { get; } = [];

    public FetchedSource? Source { get; private set; }

    public ImageSize? Size { get; private set; }

    /// <summary>The models' inputs once decoded; released when the batch ends.</summary>
    public ModelInputs? Inputs { get; private set; }

    public ImageRejectedException? Rejection { get; private set; }

    public bool IsRejected => Rejection is not null;

    /// <summary>Whether the image waits for the models: decoded and not rejected.</summary>
    public bool IsReady => Inputs is not null && !IsRejected;

    public void Fetched(byte[] bytes, FetchedSource source) => (_bytes, Source) = (bytes, source);

    /// <summary>The fetched bytes, handed to the decoder once: the image keeps no copy.</summary>
    public byte[]? TakeBytes()
    {
        var bytes = _bytes;
        _bytes = null;
        return bytes;
    }

    public void Decoded(ImageSize size, ModelInputs inputs) => (Size, Inputs) = (size, inputs);

    public void Reject(ImageRejectedException rejection)
    {
        Rejection = rejection;
        Dispose();
    }

    /// <summary>The image's outcome, given what the models returned for it (nothing when it never reached them).</summary>
    public ImageOutcome Outcome(IReadOnlyList<ModelOutcome> models) => new(Message, Source, Size, TimingsMs, Rejection, models);

    /// <summary>
    /// Runs a stage step for this image in a span named <paramref name="stage"/>, recording how long it took under
    /// that name.
    /// </summary>
    public async Task TimeAsync(string stage, Func<Task> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        using var span = PipelineActivities.StartStage(stage, Trace);
        var rejectedBefore = IsRejected;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await step().ConfigureAwait(false);
            if (!rejectedBefore && Rejection is { } rejection)
            {
                span?.SetTag("pipeline.failure.reason", rejection.Reason);
            }
        }
        catch (Exception exception)
        {
            PipelineActivities.Fail(span, exception);
            throw;
        }
        finally
        {
            TimingsMs[stage] = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        }
    }

    public void Dispose()
    {
        _bytes = null;
        Inputs?.Dispose();
        Inputs = null;
    }
}
