using System.Buffers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Contracts;
using Pipeline.Imaging.Tensors;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.Tests.Unit.Embeddings;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Consuming;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Inference;
using Pipeline.Worker.Stages.Reading;
using Pipeline.Worker.Telemetry;

namespace Pipeline.Tests.Unit.Scheduling;

/// <summary>The device's scheduler over a real (tiny stand-in) CLIP image tower.</summary>
public sealed class InferenceSchedulerTests(StandInEmbedderFixture clip) : IClassFixture<StandInEmbedderFixture>
{
    [Fact]
    public async Task ConsumedBatchesArrivingWhileTheDeviceIsBusyLeaveAsOneForwardPass()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new HeldEmbedder(clip.Embedder);
        await using var scheduler = await StartedAsync(embedder);
        var first = Images(1, seed: 0);
        var second = Images(2, seed: 1);
        var third = Images(2, seed: 3);
        try
        {
            var running = scheduler.RunAsync(first, null, cancellationToken);
            await embedder.Entered.WaitAsync(cancellationToken);
            var waiting = new[] { scheduler.RunAsync(second, null, cancellationToken), scheduler.RunAsync(third, null, cancellationToken) };
            embedder.Release();
            await Task.WhenAll([running, .. waiting]);

            Assert.Equal([1, 4], embedder.PassSizes);
            await AssertEachEmbeddedAsAloneAsync(first.Concat(second).Concat(third), cancellationToken);
        }
        finally
        {
            first.Concat(second).Concat(third).ToList().ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task AFreeDeviceWaitsForImagesAnnouncedAndStillBeingDecoded()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new HeldEmbedder(clip.Embedder);
        embedder.Release();
        await using var scheduler = await StartedAsync(embedder, maxQueueDelayMs: 10_000);
        var first = Images(1, seed: 0);
        var second = Images(2, seed: 1);
        try
        {
            var firstComing = scheduler.Expect(first.Count);
            var secondComing = scheduler.Expect(second.Count);
            var running = scheduler.RunAsync(first, firstComing, cancellationToken);
            await Task.Delay(200, cancellationToken);
            Assert.Empty(embedder.PassSizes);

            await scheduler.RunAsync(second, secondComing, cancellationToken);
            await running;
            Assert.Equal([3], embedder.PassSizes);
        }
        finally
        {
            first.Concat(second).ToList().ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task AnnouncedImagesThatNeverComeStopHoldingTheDevice()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new HeldEmbedder(clip.Embedder);
        embedder.Release();
        await using var scheduler = await StartedAsync(embedder, maxQueueDelayMs: 10_000);
        var first = Images(1, seed: 0);
        try
        {
            var rejected = scheduler.Expect(2);
            var running = scheduler.RunAsync(first, scheduler.Expect(1), cancellationToken);
            await Task.Delay(200, cancellationToken);
            await scheduler.RunAsync([], rejected, cancellationToken); // both were rejected while decoding

            await running.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            Assert.Equal([1], embedder.PassSizes);
        }
        finally
        {
            first.ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task MoreImagesThanABatchHoldsLeaveInFullBatchesWithoutWaitingForNewArrivals()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new HeldEmbedder(clip.Embedder);
        await using var scheduler = await StartedAsync(embedder, maxBatchSize: 2);
        var first = Images(1, seed: 0);
        var queued = Images(5, seed: 1);
        try
        {
            var running = scheduler.RunAsync(first, null, cancellationToken);
            await embedder.Entered.WaitAsync(cancellationToken);
            var waiting = scheduler.RunAsync(queued, null, cancellationToken);
            embedder.Release();

            await Task.WhenAll(running, waiting).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.Equal([1, 2, 2, 1], embedder.PassSizes);
            Assert.All(queued, image => Assert.NotNull(image.Embedding));
        }
        finally
        {
            first.Concat(queued).ToList().ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task ABatchCancelledBeforeItsTurnLeavesTheQueueAndTheOthersRun()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new HeldEmbedder(clip.Embedder);
        await using var scheduler = await StartedAsync(embedder);
        var first = Images(1, seed: 0);
        var cancelled = Images(2, seed: 1);
        var kept = Images(1, seed: 3);
        using var giveUp = new CancellationTokenSource();
        try
        {
            var running = scheduler.RunAsync(first, null, cancellationToken);
            await embedder.Entered.WaitAsync(cancellationToken);
            var abandoned = scheduler.RunAsync(cancelled, null, giveUp.Token);
            var waiting = scheduler.RunAsync(kept, null, cancellationToken);
            await giveUp.CancelAsync();
            embedder.Release();

            await Task.WhenAll(running, waiting);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
            Assert.Equal([1, 1], embedder.PassSizes);
            Assert.All(cancelled, image => Assert.Null(image.Embedding));
            Assert.NotNull(kept[0].Embedding);
        }
        finally
        {
            first.Concat(cancelled).Concat(kept).ToList().ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task TwoPassesRunSideBySideAndImagesArrivingWhileBothAreBusyLeaveInFullBatches()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new GatedEmbedder(clip.Embedder);
        await using var scheduler = await StartedAsync(embedder, maxBatchSize: 2, passes: 2);
        var first = Images(1, seed: 0);
        var second = Images(1, seed: 1);
        var queued = Images(3, seed: 2);
        try
        {
            var running = new List<Task> { scheduler.RunAsync(first, null, cancellationToken) };
            await embedder.WaitForPassesAsync(1, cancellationToken);
            running.Add(scheduler.RunAsync(second, null, cancellationToken));
            await embedder.WaitForPassesAsync(2, cancellationToken);
            var waiting = scheduler.RunAsync(queued, null, cancellationToken);
            await Task.Delay(200, cancellationToken);
            Assert.Equal(2, embedder.PassesStarted);

            embedder.ReleaseAll();
            await Task.WhenAll([.. running, waiting]).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.Equal(2, embedder.MostAtOnce);
            Assert.Equal([1, 1, 1, 2], embedder.PassSizes.Order());
            await AssertEachEmbeddedAsAloneAsync(first.Concat(second).Concat(queued), cancellationToken);
        }
        finally
        {
            first.Concat(second).Concat(queued).ToList().ForEach(i => i.Dispose());
        }
    }

    [Fact]
    public async Task AConsumedBatchSplitOverTwoPassesFailsOnlyOnceItsImageInTheOtherPassHasFinished()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var embedder = new GatedEmbedder(clip.Embedder, failingPass: 0);
        await using var scheduler = await StartedAsync(embedder, maxBatchSize: 1, passes: 2);
        var images = Images(2, seed: 0);
        try
        {
            var consumed = scheduler.RunAsync(images, null, cancellationToken);
            await embedder.WaitForPassesAsync(2, cancellationToken);

            embedder.Release(0);
            await embedder.PassEnded(0).WaitAsync(cancellationToken);
            await Task.Delay(200, cancellationToken);
            // Its owner returns the images' buffers when it ends: not while the other pass still reads one of them.
            Assert.False(consumed.IsCompleted);

            embedder.Release(1);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => consumed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken));
            Assert.Equal("pass 0 failed", error.Message);
            Assert.Single(images, image => image.Embedding is not null);
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    /// <summary>Batched with others, each image still got the embedding it gets alone.</summary>
    private async Task AssertEachEmbeddedAsAloneAsync(IEnumerable<ImageWork> images, CancellationToken cancellationToken)
    {
        foreach (var image in images)
        {
            var alone = (await clip.Embedder.EmbedAsync(image.EmbedderPixels.AsMemory(0, clip.Embedder.Preprocessing.TensorLength), 1, cancellationToken))[0];
            Assert.Equal(alone, image.Embedding!, (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }

    /// <summary>A scheduler started as the host starts it.</summary>
    private static async Task<InferenceScheduler> StartedAsync(IImageEmbedder embedder, int maxBatchSize = 5, int maxQueueDelayMs = 0, int passes = 1)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var scheduler = new InferenceScheduler(
            new EmbedStage(new OptionalEmbedder(embedder)),
            new CaptionStage(new OptionalCaptioner(null)),
            new ReadTextStage(new OptionalTextReader(null)),
            Options.Create(new BatchingOptions { MaxBatchSize = maxBatchSize, MaxQueueDelayMs = maxQueueDelayMs }),
            Options.Create(new InferenceOptions { ConcurrentPasses = passes }),
            new PipelineMetrics(meters),
            NullLogger<InferenceScheduler>.Instance);
        await scheduler.StartAsync(TestContext.Current.CancellationToken);
        return scheduler;
    }

    private List<ImageWork> Images(int count, int seed)
    {
        var length = clip.Embedder.Preprocessing.TensorLength;
        return [.. Enumerable.Range(seed, count).Select(n =>
        {
            var random = new Random(n);
            var pixels = ArrayPool<float>.Shared.Rent(length);
            for (var i = 0; i < length; i++)
            {
                pixels[i] = (float)(random.NextDouble() * 4 - 2);
            }

            return new ImageWork(new ImageUploaded($"image-{n}", "owner", ImageSource.Inline([1]))) { EmbedderPixels = pixels };
        })];
    }

    /// <summary>The real embedder, whose first forward pass waits until the test lets it go: the device is busy meanwhile.</summary>
    private sealed class HeldEmbedder(IImageEmbedder inner) : IImageEmbedder
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public List<int> PassSizes { get; } = [];

        public string ModelId => inner.ModelId;

        public bool IsStandIn => inner.IsStandIn;

        public int Dimensions => inner.Dimensions;

        public PreprocessorConfig Preprocessing => inner.Preprocessing;

        public void Release() => _released.TrySetResult();

        public async Task<float[][]> EmbedAsync(Memory<float> pixels, int count, CancellationToken cancellationToken)
        {
            PassSizes.Add(count);
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return await inner.EmbedAsync(pixels, count, cancellationToken);
        }
    }

    /// <summary>The real embedder behind one gate per forward pass (numbered in the order they start); one pass may fail.</summary>
    private sealed class GatedEmbedder(IImageEmbedder inner, int failingPass = -1) : IImageEmbedder
    {
        private readonly Lock _gate = new();
        private readonly List<TaskCompletionSource> _released = [.. Enumerable.Range(0, 16).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly List<TaskCompletionSource> _ended = [.. Enumerable.Range(0, 16).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly List<int> _sizes = [];
        private int _inside;

        public string ModelId => inner.ModelId;

        public bool IsStandIn => inner.IsStandIn;

        public int Dimensions => inner.Dimensions;

        public PreprocessorConfig Preprocessing => inner.Preprocessing;

        public int MostAtOnce { get; private set; }

        public int PassesStarted
        {
            get
            {
                lock (_gate)
                {
                    return _sizes.Count;
                }
            }
        }

        public List<int> PassSizes
        {
            get
            {
                lock (_gate)
                {
                    return [.. _sizes];
                }
            }
        }

        public void Release(int pass) => _released[pass].TrySetResult();

        public void ReleaseAll() => _released.ForEach(r => r.TrySetResult());

        public Task PassEnded(int pass) => _ended[pass].Task;

        public async Task WaitForPassesAsync(int count, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            while (PassesStarted < count)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        public async Task<float[][]> EmbedAsync(Memory<float> pixels, int count, CancellationToken cancellationToken)
        {
            int pass;
            lock (_gate)
            {
                pass = _sizes.Count;
                _sizes.Add(count);
                MostAtOnce = Math.Max(MostAtOnce, ++_inside);
            }

            try
            {
                await _released[pass].Task.WaitAsync(cancellationToken);
                return pass == failingPass
                    ? throw new InvalidOperationException($"pass {pass} failed")
                    : await inner.EmbedAsync(pixels, count, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _inside--;
                }

                _ended[pass].TrySetResult();
            }
        }
    }
}
