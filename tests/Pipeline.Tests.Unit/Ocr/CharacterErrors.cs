namespace Pipeline.Tests.Unit.Ocr;

internal static class CharacterErrors
{
    /// <summary>Levenshtein distance: insertions, deletions and substitutions that turn one text into the other.</summary>
    public static int Distance(string expected, string actual)
    {
        var previous = Enumerable.Range(0, actual.Length + 1).ToArray();
        var current = new int[actual.Length + 1];
        for (var i = 1; i <= expected.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= actual.Length; j++)
            {
                var substitution = previous[j - 1] + (expected[i - 1] == actual[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[actual.Length];
    }
}
