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
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = _options.IntraOpThreads,
        };
        var provider = ChooseProvider(sessionOptions);
        try
        {
            var session = new InferenceSession(modelPath, sessionOptions);
            LogOpened(logger, role, modelPath, provider);
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
            sessionOptions.AppendExecutionProvider_CUDA(_options.CudaDeviceId);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Role} model {ModelPath} on {Provider}")]
    private static partial void LogOpened(ILogger logger, string role, string modelPath, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA execution provider not available ({Reason}); running on CPU")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
