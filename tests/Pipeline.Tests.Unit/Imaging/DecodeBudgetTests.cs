using Pipeline.Imaging.Budget;

namespace Pipeline.Tests.Unit.Imaging;

/// <summary>The worker-wide budget of pixels being decoded at once.</summary>
public sealed class DecodeBudgetTests
{
    private const long Megapixel = 1_000_000;

    [Fact]
    public async Task FiveHugePicturesDecodeOneAtATime()
    {
        var budget = new DecodeBudget(64 * Megapixel, slots: 8);
        var first = await budget.AcquireAsync(64 * Megapixel, TestContext.Current.CancellationToken);
        var others = Enumerable.Range(0, 4).Select(_ => budget.AcquireAsync(64 * Megapixel, TestContext.Current.CancellationToken).AsTask()).ToList();

        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.All(others, o => Assert.False(o.IsCompleted));

        for (var i = 0; i < others.Count; i++)
        {
            (i == 0 ? first : await others[i - 1]).Dispose();
            var next = await others[i].WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.All(others.Skip(i + 1), o => Assert.False(o.IsCompleted));
            if (i == others.Count - 1)
            {
                next.Dispose();
            }
        }

        Assert.Equal(64 * Megapixel, budget.Available);
    }

    [Fact]
    public async Task OrdinaryPhotosDecodeSideBySide()
    {
        var budget = new DecodeBudget(64 * Megapixel, slots: 8);

        var leases = new List<IDisposable>();
        for (var i = 0; i < 5; i++)
        {
            var lease = budget.AcquireAsync(12 * Megapixel, TestContext.Current.CancellationToken);
            Assert.True(lease.IsCompleted, $"photo {i} waited");
            leases.Add(await lease);
        }

        Assert.Equal(4 * Megapixel, budget.Available);
        leases.ForEach(l => l.Dispose());
        Assert.Equal(64 * Megapixel, budget.Available);
    }

    [Fact]
    public async Task APictureLargerThanTheBudgetTakesAllOfItAndASmallOneDoesNotOvertakeAWaitingLargeOne()
    {
        var budget = new DecodeBudget(64 * Megapixel, slots: 8);
        var photo = await budget.AcquireAsync(12 * Megapixel, TestContext.Current.CancellationToken);

        var huge = budget.AcquireAsync(400 * Megapixel, TestContext.Current.CancellationToken).AsTask();
        var small = budget.AcquireAsync(1 * Megapixel, TestContext.Current.CancellationToken).AsTask();

        Assert.False(huge.IsCompleted);
        Assert.False(small.IsCompleted);
        photo.Dispose();
        var hugeLease = await huge.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, budget.Available);
        Assert.False(small.IsCompleted);
        hugeLease.Dispose();
        (await small.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Dispose();
    }

    [Fact]
    public async Task AWaitThatIsCancelledLeavesTheQueueAndLetsTheNextOneIn()
    {
        var budget = new DecodeBudget(10 * Megapixel, slots: 8);
        var held = await budget.AcquireAsync(8 * Megapixel, TestContext.Current.CancellationToken);
        using var giveUp = new CancellationTokenSource();
        var cancelled = budget.AcquireAsync(10 * Megapixel, giveUp.Token).AsTask();
        var next = budget.AcquireAsync(2 * Megapixel, TestContext.Current.CancellationToken).AsTask();

        Assert.False(next.IsCompleted);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        (await next.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Dispose();
        held.Dispose();
        Assert.Equal(10 * Megapixel, budget.Available);
    }

    [Fact]
    public async Task NoMoreDecodesRunAtOnceThanThereAreSlots()
    {
        var budget = new DecodeBudget(64 * Megapixel, slots: 2);
        var first = await budget.AcquireAsync(1 * Megapixel, TestContext.Current.CancellationToken);
        var second = await budget.AcquireAsync(1 * Megapixel, TestContext.Current.CancellationToken);

        var third = budget.AcquireAsync(1 * Megapixel, TestContext.Current.CancellationToken).AsTask();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(third.IsCompleted);

        first.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Dispose();
        second.Dispose();
        Assert.Equal(64 * Megapixel, budget.Available);
    }
}
