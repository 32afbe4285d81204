namespace Pipeline.Search.Classifying;

/// <summary>
/// CLIP's zero-shot classifier: each label becomes a sentence, the sentences are embedded by the text tower, and a
/// picture's logits are its cosine similarity to each sentence times the logit scale; softmax over the labels gives
/// probabilities that sum to 1 per picture.
/// </summary>
internal static class ZeroShot
{
    public static List<string> Prompts(IReadOnlyList<string> labels, string template) =>
        labels.Select(label => template.Replace(SearchOptions.LabelPlaceholder, label, StringComparison.Ordinal)).ToList();

    /// <param name="picture">Unit-length picture embedding.</param>
    /// <param name="prompts">Unit-length prompt embeddings, one per label.</param>
    public static double[] Probabilities(ReadOnlySpan<float> picture, IReadOnlyList<float[]> prompts, double logitScale)
    {
        var logits = new double[prompts.Count];
        for (var p = 0; p < prompts.Count; p++)
        {
            logits[p] = logitScale * Dot(picture, prompts[p]);
        }

        // Subtracting the largest logit keeps exp() finite at scale 100 without changing the result.
        var max = logits.Max();
        var sum = 0.0;
        for (var p = 0; p < logits.Length; p++)
        {
            logits[p] = Math.Exp(logits[p] - max);
            sum += logits[p];
        }

        for (var p = 0; p < logits.Length; p++)
        {
            logits[p] /= sum;
        }

        return logits;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new InvalidOperationException($"A stored vector has {a.Length} dimensions, the text tower gives {b.Length}.");
        }

        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
