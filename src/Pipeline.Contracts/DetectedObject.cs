using System.Text.Json;

namespace Pipeline.Contracts;

/// <summary>An object found in a picture: its label and its box in the picture's own pixels.</summary>
/// <param name="Box">x1, y1 (top-left), x2, y2 (bottom-right), in pixels of the image as uploaded (after EXIF orientation).</param>
public sealed record DetectedObject(string Label, IReadOnlyList<float> Box)
{
    /// <summary>How rows and events write a list of them: <c>[{"label": "car", "box": [34.2, 160.1, 597.4, 371.8]}]</c>.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
