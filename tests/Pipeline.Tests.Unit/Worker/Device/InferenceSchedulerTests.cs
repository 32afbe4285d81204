using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Imaging;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.Tests.Unit.Embeddings;
using Pipeline.Worker.Device;
using SkiaSharp;

namespace Pipeline.Tests.Unit.Worker.Device;

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
            var results = await Task.WhenAll([running, .. waiting]);

            Assert.Equal([1, 4], embedder.PassSizes);
            await AssertEachEmbeddedAsAloneAsync(first.Concat(second).Concat(third), results.SelectMany(r => r), cancellationToken);
        }
        finally
        {
            first.Concat(second).Concat(third).ToList().ForEach(i => i.Inputs.Dispose());
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
            first.Concat(second).ToList().ForEach(i => i.Inputs.Dispose());
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
            first.ForEach(i => i.Inputs.Dispose());
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
            Assert.All(await waiting, image => Assert.IsType<ImageEmbedding>(Assert.Single(image).Result));
        }
        finally
        {
            first.Concat(queued).ToList().ForEach(i => i.Inputs.Dispose());
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
            Assert.IsType<ImageEmbedding>(Assert.Single(Assert.Single(await waiting)).Result);
        }
        finally
        {
            first.Concat(cancelled).Concat(kept).ToList().ForEach(i => i.Inputs.Dispose());
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
            var running = new List<Task<IReadOnlyList<ModelOutcome>[]>> { scheduler.RunAsync(first, null, cancellationToken) };
            await embedder.WaitForPassesAsync(1, cancellationToken);
            running.Add(scheduler.RunAsync(second, null, cancellationToken));
            await embedder.WaitForPassesAsync(2, cancellationToken);
            var waiting = scheduler.RunAsync(queued, null, cancellationToken);
            await Task.Delay(200, cancellationToken);
            Assert.Equal(2, embedder.PassesStarted);

            embedder.ReleaseAll();
            var results = await Task.WhenAll([.. running, waiting]).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.Equal(2, embedder.MostAtOnce);
            Assert.Equal([1, 1, 1, 2], embedder.PassSizes.Order());
            await AssertEachEmbeddedAsAloneAsync(first.Concat(second).Concat(queued), results.SelectMany(r => r), cancellationToken);
        }
        finally
        {
            first.Concat(second).Concat(queued).ToList().ForEach(i => i.Inputs.Dispose());
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
        }
        finally
        {
            images.ForEach(i => i.Inputs.Dispose());
        }
    }

    [Fact]
    public async Task ARemoteModelRunsInThePassButTheDeviceTakesTheNextPassWhileItWaits()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remote = new FakeModel(ModelRole.Captioner, async (images, token) =>
        {
            await answered.Task.WaitAsync(token);
            return [.. images.Select(i => new Pipeline.Inference.Captioning.CaptionResult($"remote caption of {i.ImageId}", []))];
        }) { IsRemote = true };
        var local = new FakeModel(ModelRole.ImageEmbedder, (images, _) =>
            Task.FromResult<IReadOnlyList<ModelResult>>([.. images.Select(_ => new ImageEmbedding([1f, 0f]))]));
        using var models = Enabled.Models(local, remote);
        await using var scheduler = await StartedAsync(models);
        var first = Images(1, seed: 0, local.Needs);
        var second = Images(1, seed: 1, local.Needs);
        try
        {
            var waitingForTheProvider = scheduler.RunAsync(first, null, cancellationToken);
            await WaitUntilAsync(() => local.PassSizes.Count == 1, cancellationToken);
            // The first pass's captioner still waits for its provider: the device is free for the second pass.
            var next = scheduler.RunAsync(second, null, cancellationToken);
            await WaitUntilAsync(() => local.PassSizes.Count == 2, cancellationToken);
            Assert.False(waitingForTheProvider.IsCompleted);

            answered.SetResult();
            var results = (await Task.WhenAll(waitingForTheProvider, next)).SelectMany(r => r).ToList();
            Assert.Equal(
                ["fake-embed fake-caption remote caption of image-0", "fake-embed fake-caption remote caption of image-1"],
                results.Select(outcomes => string.Join(' ', [.. outcomes.Select(o => o.Model.ModelId), ((Pipeline.Inference.Captioning.CaptionResult)outcomes[1].Result).Text])));
            Assert.Equal([1, 1], remote.PassSizes);
        }
        finally
        {
            first.Concat(second).ToList().ForEach(i => i.Inputs.Dispose());
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>Batched with others, each image still got the embedding it gets alone, and its own.</summary>
    private async Task AssertEachEmbeddedAsAloneAsync(
        IEnumerable<PassImage> images, IEnumerable<IReadOnlyList<ModelOutcome>> results, CancellationToken cancellationToken)
    {
        foreach (var (image, outcomes) in images.Zip(results))
        {
            var alone = (ImageEmbedding)(await clip.Embedder.RunAsync([image.Inputs], cancellationToken))[0];
            var batched = (ImageEmbedding)Assert.Single(outcomes).Result;
            Assert.Equal(alone.Vector, batched.Vector, (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }

    /// <summary>A scheduler started as the host starts it.</summary>
    private static Task<InferenceScheduler> StartedAsync(IImageModel embedder, int maxBatchSize = 5, int maxQueueDelayMs = 0, int passes = 1) =>
        StartedAsync(Enabled.Models(embedder), maxBatchSize, maxQueueDelayMs, passes);

    private static async Task<InferenceScheduler> StartedAsync(EnabledModels models, int maxBatchSize = 5, int maxQueueDelayMs = 0, int passes = 1)
    {
        var scheduler = new InferenceScheduler(
            models,
            new PassSettings(maxBatchSize, TimeSpan.FromMilliseconds(maxQueueDelayMs)),
            Microsoft.Extensions.Options.Options.Create(new InferenceOptions { ConcurrentPasses = passes }),
            Enabled.Metrics(),
            NullLogger<InferenceScheduler>.Instance);
        await scheduler.StartAsync(TestContext.Current.CancellationToken);
        return scheduler;
    }

    private List<PassImage> Images(int count, int seed) => Images(count, seed, clip.Embedder.Needs);

    /// <summary>Pictures of random colours, prepared as decoding prepares them for <paramref name="needs"/>.</summary>
    private static List<PassImage> Images(int count, int seed, ImageNeed needs) => [.. Enumerable.Range(seed, count).Select(n =>
    {
        var random = new Random(n);
        var bitmap = new SKBitmap(new SKImageInfo(48, 40, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
            }
        }

        var inputs = ModelInputs.Prepare($"image-{n}", null, new DecodedImage(bitmap, "png", 48, 40), [needs]);
        return new PassImage(inputs, null);
    })];

    /// <summary>The real embedder, whose first forward pass waits until the test lets it go: the device is busy meanwhile.</summary>
    private sealed class HeldEmbedder(IImageModel inner) : IImageModel
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public List<int> PassSizes { get; } = [];

        public ModelIdentity Identity => inner.Identity;

        public ModelRole Role => inner.Role;

        public ImageNeed Needs => inner.Needs;

        public string Settings => inner.Settings;

        // The fixture owns the real model.
        public void Dispose()
        {
        }

        public void Release() => _released.TrySetResult();

        public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
        {
            PassSizes.Add(images.Count);
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            return await inner.RunAsync(images, cancellationToken);
        }
    }

    /// <summary>The real embedder behind one gate per forward pass (numbered in the order they start); one pass may fail.</summary>
    private sealed class GatedEmbedder(IImageModel inner, int failingPass = -1) : IImageModel
    {
        private readonly Lock _gate = new();
        private readonly List<TaskCompletionSource> _released = [.. Enumerable.Range(0, 16).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly List<TaskCompletionSource> _ended = [.. Enumerable.Range(0, 16).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly List<int> _sizes = [];
        private int _inside;

        public ModelIdentity Identity => inner.Identity;

        public ModelRole Role => inner.Role;

        public ImageNeed Needs => inner.Needs;

        public string Settings => inner.Settings;

        // The fixture owns the real model.
        public void Dispose()
        {
        }

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

        public async Task<IReadOnlyList<ModelResult>> RunAsync(IReadOnlyList<ModelInputs> images, CancellationToken cancellationToken)
        {
            int pass;
            lock (_gate)
            {
                pass = _sizes.Count;
                _sizes.Add(images.Count);
                MostAtOnce = Math.Max(MostAtOnce, ++_inside);
            }

            try
            {
                await _released[pass].Task.WaitAsync(cancellationToken);
                return pass == failingPass
                    ? throw new InvalidOperationException($"pass {pass} failed")
                    : await inner.RunAsync(images, cancellationToken);
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
