namespace Pipeline.Imaging.Budget;

/// <summary>
/// The pixels a process may be decoding at once (<see cref="ImagingOptions.MaxDecodingPixels"/>): five huge pictures
/// in one batch wait for each other instead of multiplying the memory and time one of them costs, while ordinary
/// photos still decode side by side. At most <paramref name="slots"/> decodes run at once: decoding is CPU-bound, and
/// more decodes than cores would only stretch each one's wall time towards <see cref="ImagingOptions.DecodeTimeoutMs"/>.
/// First come, first served; a picture larger than the whole budget takes all of it.
/// </summary>
public sealed class DecodeBudget(long capacity, int slots)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiting = [];
    private long _available = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));
    private int _freeSlots = slots > 0 ? slots : throw new ArgumentOutOfRangeException(nameof(slots));

    public long Capacity { get; } = capacity;

    /// <summary>Pixels not held by a decode right now.</summary>
    public long Available
    {
        get
        {
            lock (_gate)
            {
                return _available;
            }
        }
    }

    /// <summary>Waits until <paramref name="pixels"/> (at most the whole budget) are free; disposing the result gives them back.</summary>
    public async ValueTask<IDisposable> AcquireAsync(long pixels, CancellationToken cancellationToken)
    {
        var amount = Math.Clamp(pixels, 1, Capacity);
        Waiter waiter;
        lock (_gate)
        {
            if (_waiting.Count == 0 && _available >= amount && _freeSlots > 0)
            {
                _available -= amount;
                _freeSlots--;
                return new Lease(this, amount);
            }

            waiter = new Waiter(amount);
            waiter.Node = _waiting.AddLast(waiter);
        }

        using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            return await waiter.Granted.Task.ConfigureAwait(false);
        }
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return; // already granted
            }

            _waiting.Remove(waiter.Node);
            GrantWaiting();
        }

        waiter.Granted.TrySetCanceled(cancellationToken);
    }

    private void Release(long amount)
    {
        lock (_gate)
        {
            _available += amount;
            _freeSlots++;
            GrantWaiting();
        }
    }

    /// <summary>In arrival order: a large picture at the head is not overtaken by small ones forever.</summary>
    private void GrantWaiting()
    {
        while (_waiting.First is { } first && _available >= first.Value.Amount && _freeSlots > 0)
        {
            _waiting.RemoveFirst();
            _available -= first.Value.Amount;
            _freeSlots--;
            first.Value.Granted.TrySetResult(new Lease(this, first.Value.Amount));
        }
    }

    private sealed class Waiter(long amount)
    {
        public long Amount { get; } = amount;

        public LinkedListNode<Waiter>? Node { get; set; }

        public TaskCompletionSource<IDisposable> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Lease(DecodeBudget budget, long amount) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                budget.Release(amount);
            }
        }
    }
}
