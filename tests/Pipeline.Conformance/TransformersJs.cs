using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Conformance;

/// <summary>
/// Runs <c>js/reference.mjs</c> (transformers.js on onnxruntime-node) once per request: one JSON request on stdin,
/// one JSON response on stdout. Any failure (Node missing, packages missing, non-zero exit, timeout, bad JSON)
/// throws <see cref="TransformersJsException"/> with the script's stderr; nothing is ever skipped.
/// </summary>
internal sealed class TransformersJs
{
    public const string InstallCommand = "ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund";

    private const string ScriptName = "reference.mjs";

    private static readonly Lazy<TransformersJs> Located = new(() => new TransformersJs(LocateJsFolder()));

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public TransformersJs(string jsFolder)
    {
        JsFolder = jsFolder;
    }

    /// <summary>The harness for this checkout's <c>tests/Pipeline.Conformance/js</c> folder.</summary>
    public static TransformersJs Default => Located.Value;

    public string JsFolder { get; }

    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromMinutes(2);

    public Task<ClipImageReference> ClipImageAsync(ClipImageRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RunAsync<ClipImageRequest, ClipImageReference>(request, timeout, cancellationToken);

    public Task<ClipTextReference> ClipTextAsync(ClipTextRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RunAsync<ClipTextRequest, ClipTextReference>(request, timeout, cancellationToken);

    public Task<FlorenceReference> FlorenceAsync(FlorenceRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RunAsync<FlorenceRequest, FlorenceReference>(request, timeout, cancellationToken);

    public Task<UnigramTokenizeReference> UnigramTokenizeAsync(UnigramTokenizeRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RunAsync<UnigramTokenizeRequest, UnigramTokenizeReference>(request, timeout, cancellationToken);

    public Task<CaptionReference> CaptionAsync(CaptionRequest request, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RunAsync<CaptionRequest, CaptionReference>(request, timeout, cancellationToken);

    /// <summary>Runs one request; the response's <see cref="ReferenceResponse.Elapsed"/> is the whole node process.</summary>
    public async Task<TResponse> RunAsync<TRequest, TResponse>(TRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
        where TRequest : ReferenceRequest
        where TResponse : ReferenceResponse
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckInstalled();
        var requestJson = JsonSerializer.Serialize(request, Json);
        var limit = timeout ?? DefaultTimeout;

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = JsFolder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(JsFolder, ScriptName));

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new TransformersJsException(
                $"Cannot start 'node' ({e.Message}). The conformance tests need Node.js >= 20 on PATH, then " +
                $"`{InstallCommand}` in {JsFolder}.", e);
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(limit);
        var stdout = process.StandardOutput.ReadToEndAsync(timer.Token);
        var stderr = process.StandardError.ReadToEndAsync(timer.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(requestJson.AsMemory(), timer.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The script exited before reading its input; its stderr says why (reported below).
            }

            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            var reason = cancellationToken.IsCancellationRequested ? "was cancelled" : $"timed out after {limit.TotalSeconds:F0} s";
            throw new TransformersJsException(
                $"transformers.js ({ScriptName}, task {request.Task}) {reason}. Request: {Abbreviate(requestJson)}");
        }

        var output = await stdout;
        var errors = await stderr;
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new TransformersJsException(
                $"transformers.js ({ScriptName}, task {request.Task}) exited with code {process.ExitCode}.{Environment.NewLine}" +
                $"stderr:{Environment.NewLine}{Tail(errors.TrimEnd())}{Environment.NewLine}Request: {Abbreviate(requestJson)}");
        }

        TResponse? response;
        try
        {
            response = JsonSerializer.Deserialize<TResponse>(output, Json);
        }
        catch (JsonException e)
        {
            throw new TransformersJsException(
                $"transformers.js ({ScriptName}, task {request.Task}) wrote no valid JSON response ({e.Message}). " +
                $"stdout: {Abbreviate(output)}{Environment.NewLine}stderr: {Tail(errors.TrimEnd())}", e);
        }

        return (response ?? throw new TransformersJsException($"transformers.js wrote 'null' for task {request.Task}.")) with
        {
            Elapsed = clock.Elapsed,
            Stderr = errors,
        };
    }

    /// <summary>Fails with the command to run when js/node_modules is missing or does not match package.json.</summary>
    public void CheckInstalled()
    {
        var script = Path.Combine(JsFolder, ScriptName);
        if (!File.Exists(script))
        {
            throw new TransformersJsException($"{script} does not exist.");
        }

        var packageJson = Path.Combine(JsFolder, "package.json");
        var wanted = ReadVersion(packageJson, "dependencies", "@huggingface/transformers");
        var installedJson = Path.Combine(JsFolder, "node_modules", "@huggingface", "transformers", "package.json");
        if (!File.Exists(installedJson))
        {
            throw new TransformersJsException(
                $"transformers.js is not installed in {JsFolder} (no node_modules/@huggingface/transformers). " +
                $"Run: (cd {JsFolder} && {InstallCommand})  — scripts/test.sh does this before the tests.");
        }

        var installed = ReadVersion(installedJson, "version");
        if (installed != wanted)
        {
            throw new TransformersJsException(
                $"{JsFolder}/node_modules has @huggingface/transformers {installed}, package.json pins {wanted}. " +
                $"Run: (cd {JsFolder} && {InstallCommand})");
        }
    }

    private static string? ReadVersion(string path, params string[] keys)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var element = document.RootElement;
        foreach (var key in keys)
        {
            if (!element.TryGetProperty(key, out element))
            {
                return null;
            }
        }

        return element.GetString();
    }

    /// <summary>Walks up from the test assembly to the project folder (bin/&lt;config&gt;/&lt;tfm&gt;/ sits under it).</summary>
    private static string LocateJsFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var projectJs = Path.Combine(folder.FullName, "js");
            if (File.Exists(Path.Combine(folder.FullName, "Pipeline.Conformance.csproj")) && File.Exists(Path.Combine(projectJs, ScriptName)))
            {
                return projectJs;
            }

            // An output folder outside the project (e.g. artifacts/): find the checkout's copy instead.
            var checkoutJs = Path.Combine(folder.FullName, "tests", "Pipeline.Conformance", "js");
            if (File.Exists(Path.Combine(checkoutJs, ScriptName)))
            {
                return checkoutJs;
            }
        }

        throw new TransformersJsException(
            $"Cannot find tests/Pipeline.Conformance/js/{ScriptName} above the test assembly folder {AppContext.BaseDirectory}.");
    }

    private static string Abbreviate(string text) => text.Length <= 2000 ? text : text[..2000] + $"… ({text.Length} chars)";

    // transformers.js prints whole input tensors to stderr when a model fails; the script's own error comes last.
    private static string Tail(string text) => text.Length <= 6000 ? text : $"…({text.Length - 6000} chars omitted)…" + text[^6000..];
}

/// <summary>The reference run failed; the message carries node's stderr or the command that fixes the setup.</summary>
internal sealed class TransformersJsException : Exception
{
    public TransformersJsException(string message)
        : base(message)
    {
    }

    public TransformersJsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

internal abstract record ReferenceRequest
{
    /// <summary>Absolute path of the model folder.</summary>
    public required string Model { get; init; }

    public abstract string Task { get; }

    /// <summary>transformers.js dtype: null for fp32 (<c>model.onnx</c>), "q8" for <c>*_quantized.onnx</c>.</summary>
    public string? Dtype { get; init; }
}

internal sealed record ClipImageRequest : ReferenceRequest
{
    public override string Task => "clip-image";

    /// <summary>Absolute paths of the images, embedded as one batch.</summary>
    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>Also return the preprocessed tensor (base64 float32), to tell preprocessing from model differences.</summary>
    public bool ReturnPixelValues { get; init; }
}

internal sealed record ClipTextRequest : ReferenceRequest
{
    public override string Task => "clip-text";

    public required IReadOnlyList<string> Texts { get; init; }
}

internal sealed record UnigramTokenizeRequest : ReferenceRequest
{
    public override string Task => "unigram-tokenize";

    public required IReadOnlyList<string> Texts { get; init; }

    /// <summary>Padding and truncation length of the Rust tokenizer's second pass.</summary>
    public int Length { get; init; } = 77;
}

internal sealed record CaptionRequest : ReferenceRequest
{
    public override string Task => "caption";

    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>Overrides the folder's max_length (transformers.js: max_length = 1 + max_new_tokens).</summary>
    public int? MaxNewTokens { get; init; }

    public bool ReturnPixelValues { get; init; }
}

internal sealed record FlorenceRequest : ReferenceRequest
{
    public override string Task => "florence";

    public required IReadOnlyList<string> Images { get; init; }

    /// <summary>Task tokens, each run for every image (batch 1, greedy).</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    public int? MaxNewTokens { get; init; }

    public bool ReturnPixelValues { get; init; }
}

internal abstract record ReferenceResponse
{
    public string Task { get; init; } = "";

    public Dictionary<string, string?> Versions { get; init; } = [];

    /// <summary>Phases inside the node process: import, load, preprocess/tokenize, run, total.</summary>
    public Dictionary<string, double> TimingsMs { get; init; } = [];

    /// <summary>Wall time of the node process as seen from here (start-up included).</summary>
    [JsonIgnore]
    public TimeSpan Elapsed { get; init; }

    /// <summary>Warnings transformers.js printed, for the test output.</summary>
    [JsonIgnore]
    public string Stderr { get; init; } = "";

    public string Describe() =>
        $"transformers.js {Versions.GetValueOrDefault("transformers")} / onnxruntime-node {Versions.GetValueOrDefault("onnxruntime")} / " +
        $"node {Versions.GetValueOrDefault("node")}: process {Elapsed.TotalMilliseconds:F0} ms (" +
        string.Join(", ", TimingsMs.Select(t => $"{t.Key} {t.Value:F0}")) + " ms)";
}

internal abstract record PixelReference : ReferenceResponse
{
    /// <summary>[N,3,H,W] of the batch; null (captions only) when the images were preprocessed to different sizes.</summary>
    public int[]? PixelValuesShape { get; init; }

    /// <summary>[3,H,W] of each image, in request order.</summary>
    public int[][] PixelValuesShapes { get; init; } = [];

    /// <summary>Base64 of the images' float32 little-endian CHW tensors one after the other, when asked for.</summary>
    public string? PixelValues { get; init; }

    /// <summary>The preprocessed tensor of image <paramref name="index"/>: CHW floats.</summary>
    public float[] Pixels(int index)
    {
        if (PixelValues is null)
        {
            throw new InvalidOperationException("The request did not ask for pixel values (ReturnPixelValues).");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("pixel_values arrive as little-endian float32.");
        }

        var all = MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(PixelValues));
        var sizes = PixelValuesShapes.Select(shape => shape.Aggregate(1, (a, b) => a * b)).ToArray();
        if (sizes.Sum() != all.Length)
        {
            throw new InvalidDataException($"pixel_values holds {all.Length} floats; the shapes say {sizes.Sum()}.");
        }

        return all.Slice(sizes.Take(index).Sum(), sizes[index]).ToArray();
    }
}

internal sealed record ClipImageReference : PixelReference
{
    /// <summary>Raw <c>image_embeds</c> rows, one per image, not normalised.</summary>
    public float[][] Embeddings { get; init; } = [];
}

internal sealed record ClipTextReference : ReferenceResponse
{
    public long[][] InputIds { get; init; } = [];

    public long[][] AttentionMask { get; init; } = [];

    /// <summary>Raw <c>text_embeds</c> rows, one per text, not normalised.</summary>
    public float[][] Embeddings { get; init; } = [];
}

/// <summary>transformers.js and Hugging Face <c>tokenizers</c> (Rust) on the same tokenizer.json; see reference.mjs.</summary>
internal sealed record UnigramTokenizeReference : ReferenceResponse
{
    public int[][] TransformersIds { get; init; } = [];

    public string[] TransformersNormalized { get; init; } = [];

    public int[][] HfIds { get; init; } = [];

    public string[] HfNormalized { get; init; } = [];

    public int[][] HfPaddedIds { get; init; } = [];

    public int[][] HfPaddedMask { get; init; } = [];
}

internal sealed record CaptionReference : PixelReference
{
    /// <summary>Full generate() output per image: the start token first, EOS last when produced.</summary>
    public long[][] TokenIds { get; init; } = [];

    /// <summary>batch_decode(skip_special_tokens) then trim, as the image-to-text pipeline returns.</summary>
    public string[] Texts { get; init; } = [];
}

internal sealed record FlorenceReference : PixelReference
{
    /// <summary>Image-major: every task of the first image, then the next.</summary>
    public FlorenceResult[] Results { get; init; } = [];
}

/// <param name="ImageSize">[width, height] as post_process_generation took it.</param>
/// <param name="PostProcessed">{"&lt;TASK&gt;": text, or {"bboxes", "labels"}, or {"quad_boxes", "labels"}}.</param>
internal sealed record FlorenceResult(
    string Image, int[] ImageSize, string Task, string Prompt, long[] PromptIds, long[] GeneratedIds, string Text,
    JsonElement PostProcessed);
