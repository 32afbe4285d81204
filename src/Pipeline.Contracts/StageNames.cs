namespace Pipeline.Contracts;

/// <summary>Keys of <see cref="ImageDescribed.TimingsMs"/>.</summary>
public static class StageNames
{
    public const string Fetch = "fetch";
    public const string Decode = "decode";
    public const string Embed = "embed";
    public const string Caption = "caption";
    public const string ReadText = "ocr";
    public const string Persist = "persist";
}
