using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Runtime;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Consuming;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Reading;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Stages.Inference;

/// <summary>
/// The device's runner: images of every consumed batch queue here, and one loop hands them to forward passes that run
/// the models (embed, caption, read text) over up to <see cref="BatchingOptions.MaxBatchSize"/> of them at a time,
/// whichever consumed batches they came from. Batches in flight overlap their fetching, decoding and writing with
/// inference, at most <see cref="InferenceOptions.EffectiveConcurrentPasses"/> passes run at once (one on a GPU), and
/// partial batches that arrive while the passes are busy leave as one. When a pass is free, <see cref="BatchWindow"/>
/// decides whether a partial batch waits for more. A hosted service: its loop starts with the host (a fault in it stops
/// the host at once, logged) and it stops after the bus, so the batches being consumed finish their inference first.
/// </summary>
public sealed partial class InferenceScheduler : BackgroundService, IAsyncDisposable
{
    private readonly Channel<Ticket> _arrivals = Channel.CreateUnbounded<Ticket>(new UnboundedChannelOptions { SingleReader = true });
    // Guards _waiting, _window and every ticket's counts: passes end on their own threads while the loop takes images.
    private readonly Lock _gate = new();
    private readonly List<(Ticket Ticket, ImageWork Image)> _waiting = [];
    private readonly SemaphoreSlim _freePasses;
    private readonly int _passes;
    private readonly EmbedStage _embed;
    private readonly CaptionStage _caption;
    private readonly ReadTextStage _readText;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger<InferenceScheduler> _logger;
    private readonly BatchWindow _window;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly int _intraOpThreads;
    private int _expected;
    private int _drained;

    public InferenceScheduler(
        EmbedStage embed,
        CaptionStage caption,
        ReadTextStage readText,
        IOptions<BatchingOptions> options,
        IOptions<InferenceOptions> inference,
        PipelineMetrics metrics,
        ILogger<InferenceScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(inference);
        (_embed, _caption, _readText, _metrics, _logger) = (embed, caption, readText, metrics, logger);
        _maxBatchSize = options.Value.MaxBatchSize;
        _maxDelay = TimeSpan.FromMilliseconds(options.Value.MaxQueueDelayMs);
        _window = new BatchWindow(_maxBatchSize, _maxDelay);
        _passes = inference.Value.EffectiveConcurrentPasses;
        _freePasses = new SemaphoreSlim(_passes, _passes);
        _intraOpThreads = inference.Value.EffectiveIntraOpThreads;
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

    /// <summary>Takes nothing new, lets the passes under way end, and fails the images still waiting.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _arrivals.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _drained, 1) == 1)
        {
            return;
        }

        // Every pass has ended once all of them are free again.
        for (var i = 0; i < _passes; i++)
        {
            await _freePasses.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        lock (_gate)
        {
            var stopped = new OperationCanceledException("The worker is stopping.");
            foreach (var (ticket, _) in _waiting)
            {
                ticket.Finish(1, stopped);
            }

            _waiting.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Dispose();
    }

    public override void Dispose()
    {
        base.Dispose();
        _freePasses.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogPasses(_logger, _passes, _intraOpThreads);
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the bus has stopped, and with it every consume that could still add images.
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        // The loop began inside whichever consume first needed the scheduler; its passes belong to no one message's trace.
        Activity.Current = null;
        var reader = _arrivals.Reader;
        // Images left over from a full batch go next, without waiting for new arrivals.
        while (WaitingCount > 0 || await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
        {
            // While every pass is busy, arrivals pile up in the channel and leave as fuller batches.
            await _freePasses.WaitAsync(stopping).ConfigureAwait(false);
            List<(Ticket Ticket, ImageWork Image)> batch;
            try
            {
                TakeArrivals(reader);
                await WaitForFullerBatchAsync(reader, stopping).ConfigureAwait(false);
                batch = TakeBatch();
            }
            catch
            {
                _freePasses.Release();
                throw;
            }

            if (batch.Count == 0)
            {
                _freePasses.Release();
                continue;
            }

            // Not awaited: the loop goes on filling the next pass; the pass frees its place when it ends.
            _ = RunPassAsync(batch, stopping);
        }
    }

    private int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    private void TakeArrivals(ChannelReader<Ticket> reader)
    {
        lock (_gate)
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
    }

    /// <summary>The next pass's images, marked started so that their owners wait for them whatever else happens.</summary>
    private List<(Ticket Ticket, ImageWork Image)> TakeBatch()
    {
        lock (_gate)
        {
            var batch = _waiting.Take(_maxBatchSize).ToList();
            _waiting.RemoveRange(0, batch.Count);
            batch.ForEach(b => b.Ticket.Start());
            return batch;
        }
    }

    private async Task WaitForFullerBatchAsync(ChannelReader<Ticket> reader, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        while (WaitingCount is var waiting && waiting > 0 && waiting < _maxBatchSize)
        {
            // Images announced and still being decoded are worth waiting for; otherwise the measurements decide.
            TimeSpan delay;
            lock (_gate)
            {
                delay = Volatile.Read(ref _expected) > 0 ? _maxDelay : _window.Delay(waiting);
            }

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

    private async Task RunPassAsync(List<(Ticket Ticket, ImageWork Image)> batch, CancellationToken stopping)
    {
        try
        {
            // Off the loop's thread at once: the stages' synchronous set-up (copying pixels) is the pass's own time.
            await Task.Yield();
            await RunBatchAsync(batch, stopping).ConfigureAwait(false);
        }
        finally
        {
            _freePasses.Release();
        }
    }

    private async Task RunBatchAsync(List<(Ticket Ticket, ImageWork Image)> batch, CancellationToken stopping)
    {
        var images = batch.Select(b => b.Image).ToList();
        _metrics.RecordInferenceBatch(images.Count);
        using var pass = PipelineActivities.StartInferencePass(images);
        var spans = PipelineActivities.StartStages("inference", images.Select(i => i.Trace), pass);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _embed.RunAsync(images, stopping).ConfigureAwait(false);
            await _caption.RunAsync(images, stopping).ConfigureAwait(false);
            await _readText.RunAsync(images, stopping).ConfigureAwait(false);
            // Ended before the tickets complete, so that each image's trace holds its inference before what follows.
            spans.ForEach(span => span?.Dispose());
            lock (_gate)
            {
                _window.RecordInference(images.Count, Stopwatch.GetElapsedTime(started));
                batch.ForEach(b => b.Ticket.Finish(1, failure: null));
            }
        }
        catch (OperationCanceledException exception) when (stopping.IsCancellationRequested)
        {
            Fail(pass, spans, exception);
            // The worker is stopping past its shutdown timeout: the consumed batches retry on the next worker.
            Abandon(batch, new OperationCanceledException("The worker stopped before inference finished.", stopping));
        }
        catch (Exception exception)
        {
            // A model failure is an infrastructure fault: every consumed batch with an image here retries as a whole.
            LogInferenceFailed(_logger, exception, images.Count, batch.Select(b => b.Ticket).Distinct().Count());
            Fail(pass, spans, exception);
            Abandon(batch, exception);
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
    /// Fails the tickets with <paramref name="reason"/>: this pass's images and their images still waiting (which leave
    /// the queue) count as finished. A ticket ends once its images in other passes finish too, since its owner lets
    /// go of them (and returns their buffers) when it ends.
    /// </summary>
    private void Abandon(List<(Ticket Ticket, ImageWork Image)> batch, Exception reason)
    {
        var tickets = batch.Select(b => b.Ticket).ToHashSet();
        lock (_gate)
        {
            batch.ForEach(b => b.Ticket.Finish(1, reason));
            var dropped = _waiting.Where(w => tickets.Contains(w.Ticket)).ToList();
            _waiting.RemoveAll(w => tickets.Contains(w.Ticket));
            dropped.ForEach(w => w.Ticket.Finish(1, reason));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inference failed for {Images} images from {ConsumedBatches} consumed batches")]
    private static partial void LogInferenceFailed(ILogger logger, Exception exception, int images, int consumedBatches);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference runs up to {Passes} forward passes at once ({IntraOpThreads} intra-op threads each on CPU)")]
    private static partial void LogPasses(ILogger logger, int passes, int intraOpThreads);

    /// <summary>Images announced by <see cref="Expect"/>; counted down once, on arrival or disposal.</summary>
    public sealed class ExpectedImages : IDisposable
    {
        private readonly InferenceScheduler _scheduler;
        private int _count;

        internal ExpectedImages(InferenceScheduler scheduler, int count) => (_scheduler, _count) = (scheduler, count);

        internal void Arrive() => Interlocked.Add(ref _scheduler._expected, -Interlocked.Exchange(ref _count, 0));

        public void Dispose() => Arrive();
    }

    /// <summary>
    /// One consumed batch's images waiting for, or in, inference. It ends when none of its images is left here:
    /// each is finished by a pass or dropped, and the first failure, if any, is its result. Used under the gate.
    /// </summary>
    private sealed class Ticket(IReadOnlyList<ImageWork> images, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _unfinished = images.Count;
        private bool _started;
        private Exception? _failure;

        public IReadOnlyList<ImageWork> Images { get; } = images;

        public Task Completion => _completion.Task;

        /// <summary>True when the caller gave up before any of its images reached a pass; the ticket then ends.</summary>
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

        public void Finish(int images, Exception? failure)
        {
            _failure ??= failure;
            if ((_unfinished -= images) > 0)
            {
                return;
            }

            if (_failure is null)
            {
                _completion.TrySetResult();
            }
            else
            {
                _completion.TrySetException(_failure);
            }
        }
    }
}
