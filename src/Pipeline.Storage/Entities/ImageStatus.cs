namespace Pipeline.Storage.Entities;

/// <summary>Values of <see cref="ImageRecord.Status"/>. Rows are only ever written in one of these final states.</summary>
public static class ImageStatus
{
    public const string Described = "described";
    public const string Failed = "failed";
}
