using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Ocr;

/// <summary>
/// The files of a PP-OCRv4 set as <c>pipeline models fetch ppocr-v4</c> lays them out: the detector and the line
/// classifier every language shares, and a recogniser with its dictionary per language, named as PaddleOCR names them
/// (<c>ch</c>: <c>ch_PP-OCRv4_rec_infer.onnx</c> + <c>ppocr_keys_v1.txt</c>; another language, say <c>korean</c>:
/// <c>korean_PP-OCRv4_rec_infer.onnx</c> + <c>korean_dict.txt</c>).
/// </summary>
internal sealed record OcrModelFiles(string Folder, string Language)
{
    public const string DefaultModelId = "ppocr-v4";
    public const string DefaultLanguage = "ch";
    public const string Detection = "ch_PP-OCRv4_det_infer.onnx";
    public const string Classifier = "ch_ppocr_mobile_v2.0_cls_infer.onnx";

    public string Recognition => RecognitionFile(Language);

    public string Dictionary => DictionaryFile(Language);

    /// <summary>The id results are stored with when nothing else names the set: the language joins it unless it is the default.</summary>
    public string ModelId => Language == DefaultLanguage ? DefaultModelId : $"{DefaultModelId}-{Language}";

    public static string RecognitionFile(string language) => $"{language}_PP-OCRv4_rec_infer.onnx";

    public static string DictionaryFile(string language) => language == DefaultLanguage ? "ppocr_keys_v1.txt" : $"{language}_dict.txt";

    public string DetectionPath => Path.Combine(Folder, Detection);

    public string RecognitionPath => Path.Combine(Folder, Recognition);

    public string ClassifierPath => Path.Combine(Folder, Classifier);

    public string DictionaryPath => Path.Combine(Folder, Dictionary);

    /// <summary>Checks that the folder holds every file.</summary>
    /// <exception cref="ModelNotFoundException">The folder or one of its files is missing (the message names it and the fetch command).</exception>
    public static OcrModelFiles Locate(string folder, bool withClassifier, string language = DefaultLanguage)
    {
        var set = new OcrModelFiles(folder, language);
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            throw new ModelNotFoundException(
                $"The OCR model folder '{folder}' does not exist; run: pipeline models fetch {DefaultModelId} (it fills models/cache/{DefaultModelId}).");
        }

        string[] required = withClassifier ? [Detection, set.Recognition, Classifier, set.Dictionary] : [Detection, set.Recognition, set.Dictionary];
        foreach (var name in required)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                throw new ModelNotFoundException($"The OCR model folder '{folder}' has no {name}; run: pipeline models fetch {DefaultModelId}");
            }
        }

        return set;
    }
}
