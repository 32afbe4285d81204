namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// The worker's memory formula (docs/OPERATIONS.md, "Memory"), in MiB, from the figures the <c>memory</c> benchmark
/// measured (<c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- memory --parts</c>): what the deployment
/// files must leave room for.
/// </summary>
internal static class WorkerMemory
{
    /// <summary>The process with no model: runtime, libraries, the host and its clients.</summary>
    public const long Base = 143;

    /// <summary>Native memory a pass adds per image of its batch (ONNX Runtime's buffers, allocated per run).</summary>
    public const long PerImageOfAPass = 48;

    /// <summary>The CUDA runtime and its libraries in host memory (not measured here: no GPU on the CI machine).</summary>
    public const long CudaRuntime = 1024;

    /// <summary>Resident memory each model adds when loaded, by model id (the folder name of its path).</summary>
    public static readonly IReadOnlyDictionary<string, long> Loaded = new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["clip-vit-base-patch32"] = 370,
        ["distilvit"] = 355,
        ["ppocr-v4"] = 56,
    };

    /// <summary>
    /// The managed heap a worker needs: 64 MiB of its own, about 20 MiB per prefetched message (an inline image at the
    /// 4 MiB limit, as base64 text and bytes) and 24 MiB per image of a pass (tensors and results).
    /// </summary>
    public static long HeapFor(long batch, long concurrentBatches) => 64 + (20 * batch * (concurrentBatches + 1)) + (24 * batch);
}
