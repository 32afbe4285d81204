using System.ComponentModel.DataAnnotations;

namespace Pipeline.Inference.Runtime;

/// <summary>Where and how ONNX Runtime runs the models (section <c>Inference</c>).</summary>
public sealed class InferenceOptions
{
    public const string Section = "Inference";

    /// <summary>
    /// <c>Auto</c>: CUDA when the GPU build and a device are present, else CPU. <c>Cuda</c>: CUDA or refuse to start.
    /// <c>Cpu</c>: CPU only.
    /// </summary>
    public ExecutionProviderChoice ExecutionProvider { get; set; } = ExecutionProviderChoice.Auto;

    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    /// <summary>Threads inside one operator on CPU; 0 lets ONNX Runtime use one per physical core.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }
}

public enum ExecutionProviderChoice
{
    Auto,
    Cpu,
    Cuda,
}
