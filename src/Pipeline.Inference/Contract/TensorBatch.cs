using System.Buffers;
using Pipeline.Imaging.Tensors;

namespace Pipeline.Inference.Contract;

/// <summary>The images' tensors in one layout laid back to back in one pooled buffer: a model's whole batch input.</summary>
public sealed class TensorBatch : IDisposable
{
    private readonly float[] _buffer;

    public TensorBatch(IReadOnlyList<ModelInputs> images, PreprocessorConfig layout)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(layout);
        var length = layout.TensorLength;
        _buffer = ArrayPool<float>.Shared.Rent(images.Count * length);
        for (var i = 0; i < images.Count; i++)
        {
            images[i].Tensor(layout).CopyTo(_buffer.AsSpan(i * length, length));
        }

        Pixels = _buffer.AsMemory(0, images.Count * length);
    }

    public Memory<float> Pixels { get; }

    public void Dispose() => ArrayPool<float>.Shared.Return(_buffer);
}
