using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Consuming;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Reading;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Stages.Inference;

/// <summary>
/// The device's one runner: images of every consumed batch queue here, and a single loop runs the models (embed,
/// caption, read text) over up to <see cref="BatchingOptions.MaxBatchSize"/> of them at a time, whichever consumed
/// batches they came from. Batches in flight overlap their fetching, decoding and writing with inference, never two
/// forward passes fight over the device, and partial batches that arrive while the device is busy leave as one.
/// When the device is free, <see cref="BatchWindow"/> decides whether a partial batch waits for more.
/// </summary>
public sealed partial class InferenceScheduler : IAsyncDisposable
{
    private readonly Channel<Ticket> _arrivals = Channel.CreateUnbounded<Ticket>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(Ticket Ticket, ImageWork Image)> _waiting = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly EmbedStage _embed;
    private readonly CaptionStage _caption;
    private readonly ReadTextStage _readText;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger<InferenceScheduler> _logger;
    private readonly BatchWindow _window;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly Task _loop;
    private int _expected;

    public InferenceScheduler(
        EmbedStage embed,
        CaptionStage caption,
        ReadTextStage readText,
        IOptions<BatchingOptions> options,
        PipelineMetrics metrics,
        ILogger<InferenceScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_embed, _caption, _readText, _metrics, _logger) = (embed, caption, readText, metrics, logger);
        _maxBatchSize = options.Value.MaxBatchSize;
        _maxDelay = TimeSpan.FromMilliseconds(options.Value.MaxQueueDelayMs);
        _window = new BatchWindow(_maxBatchSize, _maxDelay);
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// Announces images that are being fetched and decoded and will come to <see cref="RunAsync"/>: while some are on
    /// their way, a free device holds a partial batch for them (up to <see cref="BatchingOptions.MaxQueueDelayMs"/>)
    /// instead of guessing from arrival times. Dispose the result if they never come.
    /// </summary>
    public ExpectedImages Expect(int count)
    {
        Interlocked.Add(ref _expected, count);
        return new ExpectedImages(this, count);
    }

    /// <summary>
    /// Runs the models over <paramref name="images"/>, batched with whatever else is waiting. Completes when all of them
    /// are done. Cancelled before their inference starts, they leave the queue; once it has started it finishes (the
    /// caller releases the images' buffers afterwards).
    /// </summary>
    /// <param name="expected">What <see cref="Expect"/> announced for these images (some may have been rejected since).</param>
    public Task RunAsync(IReadOnlyList<ImageWork> images, ExpectedImages? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        expected?.Arrive();
        var ticket = new Ticket(images, cancellationToken);
        // An empty ticket still goes in: it wakes a device that may be holding a batch for these images.
        ObjectDisposedException.ThrowIf(!_arrivals.Writer.TryWrite(ticket), this);
        return images.Count == 0 ? Task.CompletedTask : ticket.Completion;
    }

    public async ValueTask DisposeAsync()
    {
        _arrivals.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: consumers have finished by the time the container is disposed.
        }

        foreach (var (ticket, _) in _waiting)
        {
            ticket.Fail(new OperationCanceledException("The worker is stopping."));
        }

        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        // The loop began inside whichever consume first needed the scheduler; its passes belong to no one message's trace.
        Activity.Current = null;
        var reader = _arrivals.Reader;
        // Images left over from a full batch go next, without waiting for new arrivals.
        while (_waiting.Count > 0 || await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            TakeArrivals(reader);
            await WaitForFullerBatchAsync(reader, stopping).ConfigureAwait(false);
            var batch = _waiting.Take(_maxBatchSize).ToList();
            _waiting.RemoveRange(0, batch.Count);
            if (batch.Count > 0)
            {
                await RunBatchAsync(batch, stopping).ConfigureAwait(false);
            }
        }
    }

    private void TakeArrivals(ChannelReader<Ticket> reader)
    {
        while (reader.TryRead(out var ticket))
        {
            if (ticket.Images.Count > 0)
            {
                _window.RecordArrival(ticket.Images.Count, Stopwatch.GetTimestamp());
            }

            _waiting.AddRange(ticket.Images.Select(image => (ticket, image)));
        }

        _waiting.RemoveAll(w => w.Ticket.LeaveIfCancelled());
    }

    private async Task WaitForFullerBatchAsync(ChannelReader<Ticket> reader, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        while (_waiting.Count is > 0 && _waiting.Count < _maxBatchSize)
        {
            // Images announced and still being decoded are worth waiting for; otherwise the measurements decide.
            var delay = Volatile.Read(ref _expected) > 0 ? _maxDelay : _window.Delay(_waiting.Count);
            var remaining = delay - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(remaining);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return;
            }

            TakeArrivals(reader);
        }
    }

    private async Task RunBatchAsync(List<(Ticket Ticket, ImageWork Image)> batch, CancellationToken stopping)
    {
        var images = batch.Select(b => b.Image).ToList();
        var tickets = batch.Select(b => b.Ticket).Distinct().ToList();
        _metrics.RecordInferenceBatch(images.Count);
        tickets.ForEach(t => t.Start());
        using var pass = PipelineActivities.StartInferencePass(images);
        var spans = PipelineActivities.StartStages("inference", images.Select(i => i.Trace), pass);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _embed.RunAsync(images, stopping).ConfigureAwait(false);
            await _caption.RunAsync(images, stopping).ConfigureAwait(false);
            await _readText.RunAsync(images, stopping).ConfigureAwait(false);
            _window.RecordInference(images.Count, Stopwatch.GetElapsedTime(started));
            // Ended before the tickets complete, so that each image's trace holds its inference before what follows.
            spans.ForEach(span => span?.Dispose());
            foreach (var (ticket, _) in batch)
            {
                ticket.Done(1);
            }
        }
        catch (OperationCanceledException exception) when (stopping.IsCancellationRequested)
        {
            Fail(pass, spans, exception);
            // The worker is stopping past its shutdown timeout: the consumed batches retry on the next worker.
            Abandon(tickets, new OperationCanceledException("The worker stopped before inference finished.", stopping));
        }
        catch (Exception exception)
        {
            // A model failure is an infrastructure fault: every consumed batch with an image here retries as a whole.
            LogInferenceFailed(_logger, exception, images.Count, tickets.Count);
            Fail(pass, spans, exception);
            Abandon(tickets, exception);
        }
    }

    private static void Fail(Activity? pass, List<Activity?> spans, Exception exception)
    {
        PipelineActivities.Fail(pass, exception);
        foreach (var span in spans)
        {
            PipelineActivities.Fail(span, exception);
            span?.Dispose();
        }
    }

    /// <summary>
    /// Ends the tickets with <paramref name="reason"/>; their images still waiting leave the queue, since their owners
    /// let go of them (and return their buffers) once the ticket ends.
    /// </summary>
    private void Abandon(List<Ticket> tickets, Exception reason)
    {
        foreach (var ticket in tickets)
        {
            ticket.Fail(reason);
        }

        _waiting.RemoveAll(w => tickets.Contains(w.Ticket));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inference failed for {Images} images from {ConsumedBatches} consumed batches")]
    private static partial void LogInferenceFailed(ILogger logger, Exception exception, int images, int consumedBatches);

    /// <summary>Images announced by <see cref="Expect"/>; counted down once, on arrival or disposal.</summary>
    public sealed class ExpectedImages : IDisposable
    {
        private readonly InferenceScheduler _scheduler;
        private int _count;

        internal ExpectedImages(InferenceScheduler scheduler, int count) => (_scheduler, _count) = (scheduler, count);

        internal void Arrive() => Interlocked.Add(ref _scheduler._expected, -Interlocked.Exchange(ref _count, 0));

        public void Dispose() => Arrive();
    }

    /// <summary>One consumed batch's images waiting for, or in, inference.</summary>
    private sealed class Ticket(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = images.Count;
        private bool _started;

        public IReadOnlyList<ImageWork> Images { get; } = images;

        public Task Completion => _completion.Task;

        /// <summary>True when the caller gave up before any of its images reached the device; the ticket then ends.</summary>
        public bool LeaveIfCancelled()
        {
            if (_started || !cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            _completion.TrySetCanceled(cancellationToken);
            return true;
        }

        public void Start() => _started = true;

        public void Done(int images)
        {
            if ((_remaining -= images) == 0)
            {
                _completion.TrySetResult();
            }
        }

        public void Fail(Exception exception)
        {
            _started = true;
            _completion.TrySetException(exception);
        }
    }
}
