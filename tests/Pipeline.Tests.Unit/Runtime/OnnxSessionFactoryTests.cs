using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Runtime;

/// <summary>
/// On a machine without an NVIDIA GPU, in both builds of ONNX Runtime: the CPU build (what the suite runs on) and the
/// GPU build (scripts/test.sh runs this class again built with -p:OnnxRuntimeFlavor=Gpu, where the CUDA provider is in
/// the package but its CUDA libraries are not on the machine). Auto falls back to the CPU and says why; Cuda refuses.
/// </summary>
public sealed class OnnxSessionFactoryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingLogger _log = new();
    private readonly string _model;

    public OnnxSessionFactoryTests()
    {
        Assert.SkipWhen(File.Exists("/dev/nvidiactl"), "An NVIDIA GPU is here: CUDA may load, which these tests rule out.");
        ClipStandIn.Write(_folder.Path, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        _model = Path.Combine(_folder.Path, "onnx", "vision_model.onnx");
    }

    [Fact]
    public void AutoRunsOnTheCpuAndLogsWhyWhenCudaCannotLoad()
    {
        using var session = Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Auto, CudnnConvolutionSearch = "Heuristic", CudaMemoryLimitMb = 512 })
            .Open(_model, "CLIP image");

        Assert.NotEmpty(session.InputMetadata);
        Assert.Contains(_log.Lines, line => line.StartsWith("CUDA execution provider not available (", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, line => line.Contains("vision_model.onnx on CPU (", StringComparison.Ordinal));
    }

    [Fact]
    public void CudaRefusesToStartWhenCudaCannotLoad()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cuda }).Open(_model, "CLIP image"));

        Assert.Contains("CUDA execution provider cannot be loaded", error.Message, StringComparison.Ordinal);
#if ONNXRUNTIME_GPU
        // The GPU package is really in this build: its CUDA provider library was found and failed on a missing CUDA library.
        Assert.Contains("libonnxruntime_providers_cuda.so", error.Message, StringComparison.Ordinal);
#else
        Assert.Contains("not enabled in this build", error.Message, StringComparison.Ordinal);
#endif
    }

    [Fact]
    public void ZeroIntraOpThreadsMeansOnePerProcessorThisProcessMayUse()
    {
        using var byDefault = Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }).Open(_model, "CLIP image");
        using var chosen = Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu, IntraOpThreads = 3 }).Open(_model, "CLIP image");

        Assert.Equal(
            [$"on CPU ({Environment.ProcessorCount} intra-op threads for CPU work)", "on CPU (3 intra-op threads for CPU work)"],
            _log.Lines.Select(line => line[line.IndexOf("on CPU", StringComparison.Ordinal)..]));
    }

    [Fact]
    public void TuningOptionsReachTheSession()
    {
        using var session = Factory(new InferenceOptions
        {
            ExecutionProvider = ExecutionProviderChoice.Cpu,
            IntraOpThreads = 1,
            ParallelExecution = true,
            InterOpThreads = 2,
            GraphOptimization = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            AllowSpinning = false,
            CpuMemoryArena = false,
        }).Open(_model, "CLIP image");

        Assert.NotEmpty(session.OutputMetadata);
    }

    public void Dispose() => _folder.Dispose();

    private OnnxSessionFactory Factory(InferenceOptions options) => new(Options.Create(options), _log);

    private sealed class RecordingLogger : ILogger<OnnxSessionFactory>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
