using System.Buffers;
using Pipeline.Contracts;

namespace Pipeline.Sources;

/// <summary>
/// Reads a stream whole, but never more than the byte cap: the sender's declared length is only a hint, so the cap
/// is enforced on what actually arrives.
/// </summary>
internal static class CappedReader
{
    public static async Task<byte[]> ReadAsync(Stream stream, long declared, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream(declared is > 0 && declared <= maxBytes ? (int)declared : 64 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw TooLarge(buffer.Length + read, maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    public static ImageRejectedException TooLarge(long bytes, long maxBytes) => new(
        FailureReasons.TooManyBytes,
        $"The image has at least {bytes:N0} bytes; the limit is {maxBytes:N0} (Sources:MaxBytes).");
}
