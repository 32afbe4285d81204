using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Contracts;

namespace Pipeline.Api.Images;

/// <summary>
/// Makes the thumbnails that are not stored yet, and stores them. Decoding an original is the costliest thing the API
/// does (CPU mostly: the decoder shrinks while it reads), so renders take turns: at most
/// Api:Thumbnails:MaxConcurrentRenders at once, at most MaxQueuedRenders waiting. Requests for a thumbnail that is
/// already waiting or being made share that render (single flight) instead of queueing another.
/// </summary>
public sealed partial class ThumbnailRenders : IDisposable
{
    private readonly ConcurrentDictionary<string, Task<byte[]>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrencyLimiter _turns;
    private readonly Thumbnails _thumbnails;
    private readonly ThumbnailBlobs _blobs;
    private readonly ApiMetrics _metrics;
    private readonly CancellationToken _stopping;
    private readonly ILogger<ThumbnailRenders> _logger;

    public ThumbnailRenders(
        Thumbnails thumbnails,
        ThumbnailBlobs blobs,
        ApiMetrics metrics,
        IOptions<ThumbnailOptions> options,
        IHostApplicationLifetime lifetime,
        ILogger<ThumbnailRenders> logger)
    {
        _turns = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Value.MaxConcurrentRenders,
            QueueLimit = options.Value.MaxQueuedRenders,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        (_thumbnails, _blobs, _metrics, _stopping, _logger) = (thumbnails, blobs, metrics, lifetime.ApplicationStopping, logger);
    }

    /// <summary>
    /// The thumbnail <paramref name="width"/> pixels wide of <paramref name="original"/> as it is at
    /// <paramref name="originalETag"/>, made and stored as <paramref name="thumbnail"/>. The render belongs to no one
    /// request: a caller that gives up stops waiting, and the others still get it.
    /// </summary>
    /// <exception cref="ImageRejectedException">The original does not decode.</exception>
    /// <exception cref="ThumbnailsBusyException">Too many other thumbnails are waiting to be made.</exception>
    /// <exception cref="RequestFailedException">The original changed or went away (412, 404), or the store failed.</exception>
    public Task<byte[]> RenderAsync(BlobClient original, ETag originalETag, BlobClient thumbnail, int width, CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(thumbnail.Name, mine.Task);
        if (shared == mine.Task)
        {
            _ = Task.Run(() => CompleteAsync(mine, original, originalETag, thumbnail, width), CancellationToken.None);
        }

        return shared.WaitAsync(cancellationToken);
    }

    public void Dispose() => _turns.Dispose();

    private async Task CompleteAsync(TaskCompletionSource<byte[]> render, BlobClient original, ETag originalETag, BlobClient thumbnail, int width)
    {
        try
        {
            render.SetResult(await RenderOnceAsync(original, originalETag, thumbnail, width).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            render.SetException(e);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<byte[]>>(thumbnail.Name, render.Task));
        }
    }

    private async Task<byte[]> RenderOnceAsync(BlobClient original, ETag originalETag, BlobClient thumbnail, int width)
    {
        byte[] webp;
        using (var turn = await _turns.AcquireAsync(1, _stopping).ConfigureAwait(false))
        {
            if (!turn.IsAcquired)
            {
                _metrics.RecordThumbnailRender(ApiMetrics.Busy);
                throw new ThumbnailsBusyException();
            }

            // A render that finished just before this one was asked for, or another instance's, stored it meanwhile.
            if (await _blobs.ReadAsync(thumbnail, _stopping).ConfigureAwait(false) is { } stored)
            {
                return stored;
            }

            var started = Stopwatch.GetTimestamp();
            var download = await original.DownloadContentAsync(
                new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = originalETag } }, _stopping).ConfigureAwait(false);
            try
            {
                webp = _thumbnails.Render(download.Value.Content.ToArray(), width);
            }
            catch (ImageRejectedException e)
            {
                _metrics.RecordThumbnailRender(e.Reason);
                LogRejected(_logger, original.Name, width, e.Reason);
                throw;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            LogRendered(_logger, thumbnail.Name, download.Value.Details.ContentLength, webp.Length, elapsed.TotalMilliseconds);
        }

        // Stored after the turn is given back: the decoded pixels are gone, and the next render need not wait for the upload.
        await _blobs.StoreAsync(thumbnail, webp, _stopping).ConfigureAwait(false);
        _metrics.RecordThumbnailRender(ApiMetrics.Stored);
        return webp;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Made thumbnail {Thumbnail} from {OriginalBytes} bytes: {ThumbnailBytes} bytes in {ElapsedMs:F0} ms")]
    private static partial void LogRendered(ILogger logger, string thumbnail, long originalBytes, int thumbnailBytes, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "No thumbnail {Width} pixels wide of {Original}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string original, int width, string reason);
}
