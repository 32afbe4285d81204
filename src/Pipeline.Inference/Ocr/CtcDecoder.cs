namespace Pipeline.Inference.Ocr;

/// <summary>Greedy CTC: arg-max per time step, repeats collapsed, blanks (class 0) dropped.</summary>
internal static class CtcDecoder
{
    /// <param name="probabilities">One line's [timeSteps × classes] softmax output, row-major.</param>
    /// <returns>The text and the mean probability of its characters (0 when there are none).</returns>
    public static (string Text, float Confidence) Decode(ReadOnlySpan<float> probabilities, int classes, OcrDictionary dictionary)
    {
        var text = new System.Text.StringBuilder();
        var sum = 0.0;
        var kept = 0;
        var previous = -1;
        for (var t = 0; t + classes <= probabilities.Length; t += classes)
        {
            var row = probabilities.Slice(t, classes);
            var best = 0;
            for (var c = 1; c < row.Length; c++)
            {
                if (row[c] > row[best])
                {
                    best = c;
                }
            }

            if (best != 0 && best != previous)
            {
                text.Append(dictionary[best]);
                sum += row[best];
                kept++;
            }

            previous = best;
        }

        return (text.ToString(), kept == 0 ? 0f : (float)(sum / kept));
    }
}
