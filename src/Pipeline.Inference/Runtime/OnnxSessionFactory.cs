using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference.Runtime;

/// <summary>Opens ONNX Runtime sessions by path (so external-data sidecars resolve) on the configured device.</summary>
public sealed partial class OnnxSessionFactory(IOptions<InferenceOptions> options, ILogger<OnnxSessionFactory> logger)
{
    private readonly InferenceOptions _options = options.Value;

    public InferenceSession Open(string modelPath, string role)
    {
        if (!File.Exists(modelPath))
        {
            throw new ModelNotFoundException($"The {role} model file '{modelPath}' does not exist.");
        }

        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = _options.GraphOptimization,
            IntraOpNumThreads = _options.EffectiveIntraOpThreads,
            InterOpNumThreads = _options.InterOpThreads,
            ExecutionMode = _options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            EnableCpuMemArena = _options.CpuMemoryArena,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", _options.AllowSpinning ? "1" : "0");
        var provider = ChooseProvider(sessionOptions);
        try
        {
            var session = new InferenceSession(modelPath, sessionOptions);
            LogOpened(logger, role, modelPath, provider, _options.EffectiveIntraOpThreads);
            return session;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelNotFoundException($"The {role} model file '{modelPath}' is not a loadable ONNX model: {e.Message}", e);
        }
        finally
        {
            sessionOptions.Dispose();
        }
    }

    private string ChooseProvider(SessionOptions sessionOptions)
    {
        if (_options.ExecutionProvider == ExecutionProviderChoice.Cpu)
        {
            return "CPU";
        }

        try
        {
            using var cuda = new OrtCUDAProviderOptions();
            var settings = new Dictionary<string, string>
            {
                ["device_id"] = _options.CudaDeviceId.ToString(CultureInfo.InvariantCulture),
                ["cudnn_conv_algo_search"] = _options.CudnnConvolutionSearch switch
                {
                    "Heuristic" => "HEURISTIC",
                    "Default" => "DEFAULT",
                    _ => "EXHAUSTIVE",
                },
            };
            if (_options.CudaMemoryLimitMb > 0)
            {
                settings["gpu_mem_limit"] = ((long)_options.CudaMemoryLimitMb * 1024 * 1024).ToString(CultureInfo.InvariantCulture);
            }

            cuda.UpdateOptions(settings);
            sessionOptions.AppendExecutionProvider_CUDA(cuda);
            return $"CUDA device {_options.CudaDeviceId}";
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            if (_options.ExecutionProvider == ExecutionProviderChoice.Cuda)
            {
                throw new InvalidOperationException(
                    "Inference:ExecutionProvider is Cuda but the CUDA execution provider cannot be loaded " +
                    "(CPU build of ONNX Runtime, or no CUDA/cuDNN on this machine): " + e.Message, e);
            }

            LogCudaUnavailable(logger, e.Message);
            return "CPU";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Role} model {ModelPath} on {Provider} ({IntraOpThreads} intra-op threads for CPU work)")]
    private static partial void LogOpened(ILogger logger, string role, string modelPath, string provider, int intraOpThreads);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA execution provider not available ({Reason}); running on CPU")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
