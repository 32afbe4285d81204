using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Runtime;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Worker.Device;

/// <summary>
/// The device's runner: images of every consumed batch queue here, and one loop hands them to passes that run every
/// enabled model over up to <see cref="PassSettings.MaxImages"/> of them at a time, whichever consumed batches they
/// came from. Batches in flight overlap their fetching, decoding and writing with inference, at most
/// <see cref="InferenceOptions.EffectiveConcurrentPasses"/> passes hold the device at once (one on a GPU), and partial
/// batches that arrive while the passes are busy leave as one. When a pass is free, <see cref="BatchWindow"/> decides
/// whether a partial batch waits for more. A remote model (<see cref="IImageModel.IsRemote"/>) runs in the same pass
/// but beside the device: the pass frees the device when its local models end. A hosted service: its loop starts with
/// the host (a fault in it stops the host at once, logged) and it stops after the bus, so the batches being consumed
/// finish their inference first.
/// </summary>
public sealed partial class InferenceScheduler : BackgroundService, IAsyncDisposable
{
    private readonly Channel<Ticket> _arrivals = Channel.CreateUnbounded<Ticket>(new UnboundedChannelOptions { SingleReader = true });
    // Guards _waiting, _window and every ticket's counts: passes end on their own threads while the loop takes images.
    private readonly Lock _gate = new();
    private readonly List<Waiting> _waiting = [];
    private readonly SemaphoreSlim _freePasses;
    private readonly int _passes;
    private readonly IReadOnlyList<IImageModel> _local;
    private readonly IReadOnlyList<IImageModel> _remote;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger<InferenceScheduler> _logger;
    private readonly BatchWindow _window;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly int _intraOpThreads;
    private int _expected;
    private int _drained;

    public InferenceScheduler(
        EnabledModels models,
        PassSettings settings,
        IOptions<InferenceOptions> inference,
        PipelineMetrics metrics,
        ILogger<InferenceScheduler> logger)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(inference);
        (_metrics, _logger) = (metrics, logger);
        _local = [.. models.All.Where(m => !m.IsRemote)];
        _remote = [.. models.All.Where(m => m.IsRemote)];
        _maxBatchSize = settings.MaxImages;
        _maxDelay = settings.MaxDelay;
        _window = new BatchWindow(_maxBatchSize, _maxDelay);
        _passes = inference.Value.EffectiveConcurrentPasses;
        _freePasses = new SemaphoreSlim(_passes, _passes);
        _intraOpThreads = inference.Value.EffectiveIntraOpThreads;
    }

    /// <summary>
    /// Announces images that are being fetched and decoded and will come to <see cref="RunAsync"/>: while some are on
    /// their way, a free device holds a partial batch for them (up to <see cref="PassSettings.MaxDelay"/>)
    /// instead of guessing from arrival times. Dispose the result if they never come.
    /// </summary>
    public ExpectedImages Expect(int count)
    {
        Interlocked.Add(ref _expected, count);
        return new ExpectedImages(this, count);
    }

    /// <summary>
    /// Runs every enabled model over <paramref name="images"/>, batched with whatever else is waiting. Completes when
    /// all of them are done, with each image's results in input order. Cancelled before their inference starts, they
    /// leave the queue; once it has started it finishes (the caller, which owns the inputs, releases them afterwards).
    /// </summary>
    /// <param name="expected">What <see cref="Expect"/> announced for these images (some may have been rejected since).</param>
    public Task<IReadOnlyList<ModelOutcome>[]> RunAsync(IReadOnlyList<PassImage> images, ExpectedImages? expected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        expected?.Arrive();
        var ticket = new Ticket(images, cancellationToken);
        // An empty ticket still goes in: it wakes a device that may be holding a batch for these images.
        ObjectDisposedException.ThrowIf(!_arrivals.Writer.TryWrite(ticket), this);
        return ticket.Completion;
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
            List<Waiting> batch;
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

            // Not awaited: the loop goes on filling the next pass; the pass frees its place when its local models end.
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

                _waiting.AddRange(Enumerable.Range(0, ticket.Images.Count).Select(index => new Waiting(ticket, index)));
            }

            _waiting.RemoveAll(w => w.Ticket.LeaveIfCancelled());
        }
    }

    /// <summary>The next pass's images, marked started so that their owners wait for them whatever else happens.</summary>
    private List<Waiting> TakeBatch()
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

    private async Task RunPassAsync(List<Waiting> batch, CancellationToken stopping)
    {
        Activity? pass = null;
        List<Activity?> spans = [];
        List<Task<ModelOutcome[]>> remote = [];
        Exception? failure;
        try
        {
            // Off the loop's thread at once: the models' synchronous set-up (stacking tensors) is the pass's own time.
            await Task.Yield();
            _metrics.RecordInferenceBatch(batch.Count);
            pass = PipelineActivities.StartInferencePass([.. batch.Select(b => b.Image.Trace)]);
            spans = PipelineActivities.StartStages("inference", batch.Select(b => b.Image.Trace), pass);
            var inputs = batch.Select(b => b.Image.Inputs).ToList();
            remote = [.. _remote.Select(model => RunModelAsync(model, inputs, stopping))];
            failure = await RunLocalModelsAsync(batch, inputs, stopping).ConfigureAwait(false);
        }
        finally
        {
            // The device is free once the local models are done; a remote model's answer is awaited outside it.
            _freePasses.Release();
        }

        foreach (var run in remote)
        {
            try
            {
                Keep(batch, await run.ConfigureAwait(false));
            }
            catch (Exception exception)
            {
                failure ??= exception;
            }
        }

        using (pass)
        {
            Finish(batch, pass, spans, failure, stopping);
        }
    }

    /// <returns>The failure that stopped them, if any: the pass still waits for its remote models before it fails.</returns>
    private async Task<Exception?> RunLocalModelsAsync(List<Waiting> batch, List<ModelInputs> inputs, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            foreach (var model in _local)
            {
                Keep(batch, await RunModelAsync(model, inputs, stopping).ConfigureAwait(false));
            }
        }
        catch (Exception exception)
        {
            return exception;
        }

        lock (_gate)
        {
            _window.RecordInference(batch.Count, Stopwatch.GetElapsedTime(started));
        }

        return null;
    }

    private static async Task<ModelOutcome[]> RunModelAsync(IImageModel model, List<ModelInputs> inputs, CancellationToken stopping)
    {
        using var span = PipelineActivities.StartModel(model.Role.Stage);
        var started = Stopwatch.GetTimestamp();
        var results = await model.RunAsync(inputs, stopping).ConfigureAwait(false);
        if (results.Count != inputs.Count)
        {
            throw new InvalidOperationException($"Model {model.Identity.ModelId} returned {results.Count} results for {inputs.Count} images.");
        }

        // The whole batched run is the latency each image of the pass waited for.
        var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        return [.. results.Select(result => new ModelOutcome(model.Identity, model.Role, result, elapsed))];
    }

    /// <summary>Each image's result goes to its ticket; only this pass writes these images' slots.</summary>
    private static void Keep(List<Waiting> batch, ModelOutcome[] outcomes)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Ticket.Outcomes[batch[i].Index].Add(outcomes[i]);
        }
    }

    private void Finish(List<Waiting> batch, Activity? pass, List<Activity?> spans, Exception? failure, CancellationToken stopping)
    {
        switch (failure)
        {
            case null:
                // Ended before the tickets complete, so that each image's trace holds its inference before what follows.
                spans.ForEach(span => span?.Dispose());
                lock (_gate)
                {
                    batch.ForEach(b => b.Ticket.Finish(1, failure: null));
                }

                break;
            case OperationCanceledException when stopping.IsCancellationRequested:
                Fail(pass, spans, failure);
                // The worker is stopping past its shutdown timeout: the consumed batches retry on the next worker.
                Abandon(batch, new OperationCanceledException("The worker stopped before inference finished.", stopping));
                break;
            default:
                // A model failure is an infrastructure fault: every consumed batch with an image here retries as a whole.
                LogInferenceFailed(_logger, failure, batch.Count, batch.Select(b => b.Ticket).Distinct().Count());
                Fail(pass, spans, failure);
                Abandon(batch, failure);
                break;
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
    private void Abandon(List<Waiting> batch, Exception reason)
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

    /// <summary>An image waiting for a pass: which ticket it belongs to and where in it.</summary>
    private readonly record struct Waiting(Ticket Ticket, int Index)
    {
        public PassImage Image => Ticket.Images[Index];
    }

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
    private sealed class Ticket(IReadOnlyList<PassImage> images, CancellationToken cancellationToken)
    {
        private readonly TaskCompletionSource<IReadOnlyList<ModelOutcome>[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _unfinished = images.Count;
        private bool _started;
        private Exception? _failure;

        public IReadOnlyList<PassImage> Images { get; } = images;

        /// <summary>Each image's results, filled by the one pass that runs it.</summary>
        public List<ModelOutcome>[] Outcomes { get; } = [.. images.Select(_ => new List<ModelOutcome>())];

        public Task<IReadOnlyList<ModelOutcome>[]> Completion
        {
            get
            {
                if (Images.Count == 0)
                {
                    _completion.TrySetResult([]);
                }

                return _completion.Task;
            }
        }

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
                _completion.TrySetResult([.. Outcomes]);
            }
            else
            {
                _completion.TrySetException(_failure);
            }
        }
    }
}
