namespace Pipeline.StandInModels.Transformers;

/// <summary>
/// How the weights of linear layers (and embedding tables) are stored, following onnxruntime's
/// <c>quantize_dynamic(per_channel=False, reduce_range=False)</c> as transformers.js' conversion script runs it:
/// uint8 with a zero point when the graph has a Conv, int8 symmetric (zero point 0) otherwise.
/// </summary>
public enum WeightQuantization
{
    /// <summary>float32 weights (the plain <c>*.onnx</c> files).</summary>
    None,

    /// <summary>uint8 weights, per-tensor scale and zero point (<c>QuantType.QUInt8</c>).</summary>
    UInt8Asymmetric,

    /// <summary>int8 weights, per-tensor scale, zero point 0, range [-127, 127] (<c>QuantType.QInt8</c>).</summary>
    Int8Symmetric,
}
