using Pipeline.StandInModels;

namespace Pipeline.Benchmarks.Memory;

/// <summary>
/// The model set of deploy/k8s/config.yaml and docker-compose.yml as the worker's settings: the CLIP image tower
/// (fp32, full-size stand-in), the distilvit captioner (quantized, full-size stand-in, its own two beams, every caption
/// forced to the config's longest so that each pass does the most work a real caption can) and the real PP-OCRv4
/// weights of <c>models/cache/ppocr-v4</c>.
/// </summary>
internal sealed class DeployedModels
{
    /// <summary>distilvit's generation_config.json max_length, less the start token.</summary>
    private const int LongestCaption = 49;

    private readonly string _clip;
    private readonly string _captioner;
    private readonly string _ocr;
    private readonly string _captionerFiles;

    private DeployedModels(string clip, string captioner, string ocr, string captionerFiles) =>
        (_clip, _captioner, _ocr, _captionerFiles) = (clip, captioner, ocr, captionerFiles);

    /// <summary>Every model on: the worker's settings (environment variables).</summary>
    public IReadOnlyDictionary<string, string> All => Settings(_clip, _captioner, _ocr);

    /// <summary>Megabytes on disk of the files each model loads (the CLIP tower alone of its folder; the quantized captioner).</summary>
    public IReadOnlyList<(string Model, double Megabytes)> FileSizes =>
    [
        ("CLIP image tower", Megabytes(Path.Combine(_clip, ClipStandIn.XenovaVisionModelPath))),
        ("captioner", Megabytes(Path.Combine(_captionerFiles, "onnx", "encoder_model_quantized.onnx"), Path.Combine(_captionerFiles, "onnx", "decoder_model_merged_quantized.onnx"))),
        ("OCR", Megabytes([.. Directory.GetFiles(_ocr, "*.onnx")])),
    ];

    public static DeployedModels Prepare(string repositoryRoot)
    {
        var folders = ModelFolders.Prepare(repositoryRoot, new BenchOptions(
            Full: true, Images: 1, Batches: [1], MaxNewTokens: LongestCaption, Threads: 0, CaptionerVariant: "quantized", SkipJs: true));
        var ocr = Path.Combine(repositoryRoot, "models", "cache", "ppocr-v4");
        if (!File.Exists(Path.Combine(ocr, "model.lock.json")))
        {
            throw new BenchmarkException($"{ocr} holds no OCR model set: `pipeline models fetch ppocr-v4` (docs/MODELS.md).");
        }

        return new DeployedModels(folders.Clip, ModelFolders.FixedLength(folders.Captioner, LongestCaption), ocr, folders.Captioner);
    }

    /// <summary>No model at all, then each model alone: what each one adds to the worker.</summary>
    public IEnumerable<(string Models, IReadOnlyDictionary<string, string> Settings)> OneAtATime() =>
    [
        ("no model", Settings("", "", "")),
        ("CLIP image tower", Settings(_clip, "", "")),
        ("captioner", Settings("", _captioner, "")),
        ("OCR", Settings("", "", _ocr)),
    ];

    private static Dictionary<string, string> Settings(string clip, string captioner, string ocr) => new()
    {
        ["Models__ImageEmbedder__Path"] = clip,
        ["Models__ImageEmbedder__Variant"] = "fp32",
        ["Models__Captioner__Path"] = captioner,
        ["Models__Captioner__Variant"] = "quantized",
        ["Ocr__Path"] = ocr,
    };

    private static double Megabytes(params string[] files) => files.Sum(f => new FileInfo(f).Length) / 1_048_576.0;
}
