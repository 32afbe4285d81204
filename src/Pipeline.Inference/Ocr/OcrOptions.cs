using System.ComponentModel.DataAnnotations;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Ocr;

/// <summary>The PP-OCRv4 model set and its thresholds (section <c>Ocr</c>).</summary>
public sealed class OcrOptions : IModelFolderOptions
{
    public const string Section = "Ocr";

    public static string SectionName => Section;

    /// <summary>Read text in images. Off, or with no <see cref="Path"/>, images get no OCR text.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Folder holding ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx, ch_ppocr_mobile_v2.0_cls_infer.onnx and
    /// ppocr_keys_v1.txt (<c>pipeline models fetch ppocr-v4</c> puts them in models/cache/ppocr-v4).
    /// </summary>
    public string Path { get; set; } = "";

    public bool IsWanted => Enabled && !string.IsNullOrWhiteSpace(Path);

    /// <summary>
    /// Which recogniser and dictionary read the lines: <c>ch</c> (Chinese and English, PP-OCRv4's default) or another
    /// PaddleOCR language whose <c>{language}_PP-OCRv4_rec_infer.onnx</c> and <c>{language}_dict.txt</c> are in the
    /// folder (<c>korean</c>, <c>japan</c>, …). The detector and the line classifier are the same for every language.
    /// </summary>
    [RegularExpression("^[a-z][a-z_]{1,31}$", ErrorMessage = "Ocr:Language must be a PaddleOCR language name such as ch or korean.")]
    public string Language { get; set; } = "ch";

    /// <summary>Lines whose mean character probability is below this are dropped.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.6;

    /// <summary>Run the 0°/180° line classifier and turn upside-down lines before recognition.</summary>
    public bool UseAngleClassifier { get; set; } = true;

    /// <summary>Detection input: the longer side is scaled to at most this (multiple of 32).</summary>
    [Range(32, 4096)]
    public int DetectionMaxSide { get; set; } = 960;

    /// <summary>DB: probability above which a pixel belongs to text.</summary>
    [Range(0.0, 1.0)]
    public double BinarizationThreshold { get; set; } = 0.3;

    /// <summary>DB: mean probability a region needs to count as a text box.</summary>
    [Range(0.0, 1.0)]
    public double BoxThreshold { get; set; } = 0.6;

    /// <summary>DB: how far a shrunk text region is grown back (PaddleOCR's unclip ratio).</summary>
    [Range(1.0, 4.0)]
    public double UnclipRatio { get; set; } = 1.5;

    /// <summary>Text lines recognised per forward pass (lines of similar width are batched together).</summary>
    [Range(1, 256)]
    public int RecognitionBatchSize { get; set; } = 8;

    /// <summary>
    /// Run the three graphs at a few fixed input shapes instead of one per picture size, line width and batch size:
    /// on CUDA every new shape costs a cuDNN algorithm search and arena memory (see <see cref="InputShapes"/>).
    /// </summary>
    public bool UseShapeBuckets { get; set; } = true;

    /// <summary>
    /// With shape buckets, how far apart the detector's canvas sides are. At 1.25 a picture is stretched by at most
    /// 12 % to the nearest, which costs nothing on a CPU; larger gives fewer shapes and pads pictures instead.
    /// </summary>
    [Range(1.1, 4.0)]
    public double DetectionBucketRatio { get; set; } = 1.25;
}
