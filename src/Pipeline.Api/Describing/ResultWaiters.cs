using System.Collections.Concurrent;

namespace Pipeline.Api.Describing;

/// <summary>
/// Requests waiting for the worker's result events. Every API instance listens to every result on a queue of its
/// own, and hands each to the requests waiting here for that image.
/// </summary>
public sealed class ResultWaiters
{
    private readonly ConcurrentDictionary<Watch, byte> _watches = new();

    /// <summary>Starts waiting for these stored row ids; call before announcing them so no result can slip past.</summary>
    public Watch Start(IEnumerable<string> rowIds)
    {
        var watch = new Watch(this, rowIds);
        _watches.TryAdd(watch, 0);
        return watch;
    }

    public void Finished(string rowId)
    {
        foreach (var watch in _watches.Keys)
        {
            watch.Finished(rowId);
        }
    }

    public sealed class Watch : IDisposable
    {
        private readonly ResultWaiters _owner;
        private readonly HashSet<string> _pending;
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        internal Watch(ResultWaiters owner, IEnumerable<string> rowIds)
        {
            _owner = owner;
            _pending = new HashSet<string>(rowIds, StringComparer.Ordinal);
        }

        /// <summary>True when every image had its result within <paramref name="timeout"/>.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            try
            {
                await _all.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        internal void Finished(string rowId)
        {
            lock (_pending)
            {
                if (_pending.Remove(rowId) && _pending.Count == 0)
                {
                    _all.TrySetResult();
                }
            }
        }

        public void Dispose() => _owner._watches.TryRemove(this, out _);
    }
}
