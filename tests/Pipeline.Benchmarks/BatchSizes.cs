using System.Globalization;

namespace Pipeline.Benchmarks;

internal static class BatchSizes
{
    /// <summary>"1,2,5" → [1, 2, 5].</summary>
    /// <exception cref="ArgumentException">An entry is not a positive integer, or there is none.</exception>
    public static int[] Parse(string text)
    {
        var sizes = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b > 0
                ? b
                : throw new ArgumentException($"--batches: '{s}' is not a positive integer."))
            .ToArray();
        return sizes.Length > 0 ? sizes : throw new ArgumentException("--batches needs at least one size.");
    }
}
