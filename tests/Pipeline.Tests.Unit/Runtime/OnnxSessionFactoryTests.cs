using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;

namespace Pipeline.Tests.Unit.Runtime;

/// <summary>The CPU build of ONNX Runtime (what the tests run on): Auto falls back to the CPU, Cuda refuses.</summary>
public sealed class OnnxSessionFactoryTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _model;

    public OnnxSessionFactoryTests()
    {
        ClipStandIn.Write(_folder.Path, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
        _model = Path.Combine(_folder.Path, "onnx", "vision_model.onnx");
    }

    [Fact]
    public void AutoRunsOnTheCpuWhenCudaIsNotInTheBuild()
    {
        using var session = Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Auto, CudnnConvolutionSearch = "Heuristic", CudaMemoryLimitMb = 512 })
            .Open(_model, "CLIP image");

        Assert.NotEmpty(session.InputMetadata);
    }

    [Fact]
    public void CudaRefusesToStartWithoutCuda()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Factory(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cuda }).Open(_model, "CLIP image"));

        Assert.Contains("CUDA execution provider cannot be loaded", error.Message, StringComparison.Ordinal);
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

    private static OnnxSessionFactory Factory(InferenceOptions options) => new(Options.Create(options), NullLogger<OnnxSessionFactory>.Instance);
}
