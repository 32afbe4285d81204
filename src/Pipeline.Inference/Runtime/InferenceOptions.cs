using System.ComponentModel.DataAnnotations;
using Microsoft.ML.OnnxRuntime;

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

    /// <summary>
    /// Threads inside one operator on CPU; 0 = one per processor this process may use (<see cref="Environment.ProcessorCount"/>,
    /// which honours container CPU limits and affinity). Not ONNX Runtime's own default: it counts the host's physical
    /// cores, and where it cannot read the topology it guesses half the logical processors, which gave one thread on a
    /// 2-vCPU VM and halved the captioner's throughput (docs/PERFORMANCE.md).
    /// </summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary><see cref="IntraOpThreads"/> with 0 resolved.</summary>
    public int EffectiveIntraOpThreads => IntraOpThreads > 0 ? IntraOpThreads : Environment.ProcessorCount;

    /// <summary>
    /// Forward passes the worker runs side by side, each over its own batch; 0 = auto: 1 for CUDA (one device, one
    /// stream) and in GPU builds, on CPU one per processor up to 4. On CPU, passes of one or two threads each beat one
    /// pass over every core: an operator split over all cores waits for the slowest, so every millisecond of decoding,
    /// writing or messaging on any core stalls the whole pass (docs/PERFORMANCE.md). With <see cref="IntraOpThreads"/>
    /// at 0 the worker divides the processors among the passes.
    /// </summary>
    [Range(0, 64)]
    public int ConcurrentPasses { get; set; }

    /// <summary><see cref="ConcurrentPasses"/> with 0 resolved.</summary>
    public int EffectiveConcurrentPasses => ConcurrentPasses > 0 ? ConcurrentPasses
        : ExecutionProvider == ExecutionProviderChoice.Cuda || (ExecutionProvider == ExecutionProviderChoice.Auto && IsGpuBuild) ? 1
        : Math.Min(Environment.ProcessorCount, 4);

    /// <summary>The worker's intra-op threads per pass: <see cref="IntraOpThreads"/>, or with 0 the processors divided among its passes.</summary>
    public int ThreadsPerPass => IntraOpThreads > 0 ? IntraOpThreads : Math.Max(1, Environment.ProcessorCount / EffectiveConcurrentPasses);

    /// <summary>This assembly was built with <c>-p:OnnxRuntimeFlavor=Gpu</c>.</summary>
    public static bool IsGpuBuild =>
#if ONNXRUNTIME_GPU
        true;
#else
        false;
#endif

    /// <summary>
    /// Threads running independent operators side by side; 0 = ONNX Runtime's default. Only used with
    /// <see cref="ParallelExecution"/>; the encoder-decoder and CLIP graphs are chains, so sequential is faster here.
    /// </summary>
    [Range(0, 1024)]
    public int InterOpThreads { get; set; }

    /// <summary>ONNX Runtime's parallel execution mode (operators of independent branches at once). Off by default.</summary>
    public bool ParallelExecution { get; set; }

    /// <summary>Graph rewrites at load: All (default; fusions, layout changes), Extended, Basic or Disabled.</summary>
    public GraphOptimizationLevel GraphOptimization { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Intra-op threads spin while waiting for work (lower latency, a busy-looking CPU). Turn off where the worker
    /// shares cores with other processes.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// ONNX Runtime's CPU memory arena: buffers kept and reused between runs instead of allocated each time. Off by
    /// default: each session's arena grows to the largest runs it has seen (several passes side by side, every OCR
    /// detector input size, every caption length) and never gives memory back, which held about 1.2 GB more after a
    /// warm-up than the runs need at once; allocated per run, the same photos went as fast (docs/OPERATIONS.md, "Memory").
    /// </summary>
    public bool CpuMemoryArena { get; set; }

    /// <summary>
    /// CUDA: how cuDNN picks convolution algorithms — Exhaustive (ONNX Runtime's default: benchmarks every algorithm on
    /// the first run of each shape, best with the fixed batch sizes this worker uses), Heuristic or Default.
    /// </summary>
    [RegularExpression("^(Exhaustive|Heuristic|Default)$")]
    public string CudnnConvolutionSearch { get; set; } = "Exhaustive";

    /// <summary>CUDA: the device memory ONNX Runtime's arena may take, in MiB; 0 = no limit.</summary>
    [Range(0, 1_048_576)]
    public int CudaMemoryLimitMb { get; set; }
}

public enum ExecutionProviderChoice
{
    Auto,
    Cpu,
    Cuda,
}
