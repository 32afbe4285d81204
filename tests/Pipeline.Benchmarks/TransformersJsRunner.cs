using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Pipeline.Benchmarks;

/// <summary>
/// Runs <c>tests/Pipeline.Conformance/js/bench.mjs</c> (transformers.js on onnxruntime-node, CPU) once with both models:
/// one JSON request on stdin, one JSON response on stdout. Only its model calls are timed, after a warm-up per batch size.
/// </summary>
internal sealed class TransformersJsRunner(string jsFolder)
{
    public const string InstallCommand = "ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund";

    private const string Script = "bench.mjs";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static TransformersJsRunner ForCheckout(string repositoryRoot) =>
        new(Path.Combine(repositoryRoot, "tests", "Pipeline.Conformance", "js"));

    /// <summary>Fails with the install command when node_modules is missing or holds another transformers.js than package.json pins.</summary>
    public void CheckInstalled()
    {
        if (!File.Exists(Path.Combine(jsFolder, Script)))
        {
            throw new BenchmarkException($"{Path.Combine(jsFolder, Script)} does not exist.");
        }

        var installed = Path.Combine(jsFolder, "node_modules", "@huggingface", "transformers", "package.json");
        if (!File.Exists(installed))
        {
            throw new BenchmarkException(
                $"transformers.js is not installed (no {installed}). Run: (cd {jsFolder} && {InstallCommand}), or pass --skip-js.");
        }

        var wanted = JsonNode.Parse(File.ReadAllText(Path.Combine(jsFolder, "package.json")))?["dependencies"]?["@huggingface/transformers"]?.GetValue<string>();
        var version = JsonNode.Parse(File.ReadAllText(installed))?["version"]?.GetValue<string>();
        if (wanted != version)
        {
            throw new BenchmarkException(
                $"{jsFolder}/node_modules has @huggingface/transformers {version}; package.json pins {wanted}. Run: (cd {jsFolder} && {InstallCommand})");
        }
    }

    public async Task<JsBenchResponse> RunAsync(JsBenchRequest request, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = jsFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(jsFolder, Script));

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new BenchmarkException($"Cannot start 'node' ({e.Message}): install Node.js >= 20, or pass --skip-js.", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(JsonSerializer.Serialize(request, Json).AsMemory(), cancellationToken);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The script exited before reading its input; its stderr says why (reported below).
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout;
        var errors = (await stderr).TrimEnd();
        if (process.ExitCode != 0)
        {
            throw new BenchmarkException(
                $"node {Script} exited with code {process.ExitCode}. stderr:{Environment.NewLine}{(errors.Length <= 4000 ? errors : "…" + errors[^4000..])}");
        }

        try
        {
            return JsonSerializer.Deserialize<JsBenchResponse>(output, Json)
                ?? throw new BenchmarkException($"node {Script} wrote 'null'.");
        }
        catch (JsonException e)
        {
            throw new BenchmarkException($"node {Script} wrote no valid JSON ({e.Message}). stdout: {output[..Math.Min(output.Length, 2000)]}", e);
        }
    }
}

/// <summary>bench.mjs' request (snake_case on the wire).</summary>
/// <param name="IntraOpThreads">0 leaves onnxruntime-node's default; the benchmarks pass the C# side's resolved count.</param>
/// <remarks><see cref="Dtype"/> is the captioner's transformers.js dtype: <c>q8</c> (*_quantized.onnx) or <c>fp32</c>.</remarks>
internal sealed record FlorenceTiming(string Task, int Batch, int Images, double Seconds, long Tokens)
{
    public double ImagesPerSecond => Images / Seconds;
}

internal sealed record JsBenchRequest(IReadOnlyList<string> Images, IReadOnlyList<int> BatchSizes, int MaxNewTokens, int IntraOpThreads)
{
    /// <summary>The CLIP folder, or null to skip CLIP.</summary>
    public string? Clip { get; init; }

    public string? ClipDtype { get; init; }

    /// <summary>The captioner folder, or null to skip the captioner.</summary>
    public string? Captioner { get; init; }

    public string? Dtype { get; init; }

    /// <summary>The Florence-2 folder, or null to skip it.</summary>
    public string? Florence { get; init; }

    public IReadOnlyList<string>? FlorenceTasks { get; init; }

    public string? FlorenceDtype { get; init; }
}

internal sealed record JsBenchResponse
{
    public List<FlorenceTiming> Florence { get; init; } = [];

    public List<BatchTiming> ClipImage { get; init; } = [];

    public List<BatchTiming> Caption { get; init; } = [];

    public Dictionary<string, string?> Versions { get; init; } = [];

    /// <summary>The session options bench.mjs passed to transformers.js (ONNX Runtime defaults for anything absent).</summary>
    public JsonObject? SessionOptions { get; init; }
}
