using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Ocr;

/// <summary>One of the three PaddleOCR graphs: a single float input <c>x</c> [N,3,H,W] and one float output.</summary>
internal sealed class OcrSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string _output;
    private readonly ConcurrentDictionary<string, byte> _shapes = new();
    private long _values;

    public OcrSession(OnnxSessionFactory sessions, string path, string role)
    {
        _session = sessions.Open(path, role);
        _input = _session.InputNames.Count == 1
            ? _session.InputNames[0]
            : throw new ModelNotFoundException($"The {role} model '{path}' has {_session.InputNames.Count} inputs; a PaddleOCR export has one.");
        _output = _session.OutputNames[0];
    }

    /// <summary>What this session has been given so far (for benchmarks and tests).</summary>
    public GraphInputs Inputs => new([.. _shapes.Keys], Interlocked.Read(ref _values));

    /// <returns>The output, copied out, and its shape.</returns>
    public (float[] Data, long[] Shape) Run(float[] input, long[] shape, RunOptions runOptions)
    {
        _shapes.TryAdd(string.Join('×', shape), 0);
        Interlocked.Add(ref _values, input.Length);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var outputs = _session.Run(runOptions, [_input], [value], [_output]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[0].GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => _session.Dispose();
}
