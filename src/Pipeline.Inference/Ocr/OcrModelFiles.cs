using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Ocr;

/// <summary>The four files of the PP-OCRv4 set as <c>pipeline models fetch ppocr-v4</c> lays them out.</summary>
internal sealed record OcrModelFiles(string Folder)
{
    public const string DefaultModelId = "ppocr-v4";
    public const string Detection = "ch_PP-OCRv4_det_infer.onnx";
    public const string Recognition = "ch_PP-OCRv4_rec_infer.onnx";
    public const string Classifier = "ch_ppocr_mobile_v2.0_cls_infer.onnx";
    public const string Dictionary = "ppocr_keys_v1.txt";

    public string DetectionPath => Path.Combine(Folder, Detection);

    public string RecognitionPath => Path.Combine(Folder, Recognition);

    public string ClassifierPath => Path.Combine(Folder, Classifier);

    public string DictionaryPath => Path.Combine(Folder, Dictionary);

    /// <summary>Checks that the folder holds every file.</summary>
    /// <exception cref="ModelNotFoundException">The folder or one of its files is missing (the message names it and the fetch command).</exception>
    public static OcrModelFiles Locate(string folder, bool withClassifier)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Directory.Exists(folder))
        {
            throw new ModelNotFoundException(
                $"The OCR model folder '{folder}' does not exist; run: pipeline models fetch {DefaultModelId} (it fills models/cache/{DefaultModelId}).");
        }

        string[] required = withClassifier ? [Detection, Recognition, Classifier, Dictionary] : [Detection, Recognition, Dictionary];
        foreach (var name in required)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path))
            {
                throw new ModelNotFoundException($"The OCR model folder '{folder}' has no {name}; run: pipeline models fetch {DefaultModelId}");
            }
        }

        return new OcrModelFiles(folder);
    }
}
