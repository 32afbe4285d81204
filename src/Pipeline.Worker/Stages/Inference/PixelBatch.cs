using System.Buffers;
using Pipeline.Worker.Batches;

namespace Pipeline.Worker.Stages.Inference;

/// <summary>The images' input tensors laid back to back in one pooled buffer: a model's whole batch input.</summary>
public sealed class PixelBatch : IDisposable
{
    private readonly float[] _buffer;

    public PixelBatch(IReadOnlyList<ImageWork> images, Func<ImageWork, float[]?> pixels, int tensorLength)
    {
        _buffer = ArrayPool<float>.Shared.Rent(images.Count * tensorLength);
        for (var i = 0; i < images.Count; i++)
        {
            pixels(images[i]).AsSpan(0, tensorLength).CopyTo(_buffer.AsSpan(i * tensorLength, tensorLength));
        }

        Pixels = _buffer.AsMemory(0, images.Count * tensorLength);
    }

    public Memory<float> Pixels { get; }

    public void Dispose() => ArrayPool<float>.Shared.Return(_buffer);
}
