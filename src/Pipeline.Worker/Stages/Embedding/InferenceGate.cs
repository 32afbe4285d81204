namespace Pipeline.Worker.Stages.Embedding;

/// <summary>
/// One batch in inference at a time per device: concurrent batches overlap their fetching and decoding with
/// inference, but never fight over the accelerator (or the CPU's cores) in two forward passes at once.
/// </summary>
public sealed class InferenceGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
