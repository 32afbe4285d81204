namespace Pipeline.Inference.Captioning;

/// <param name="Text">The decoded caption, special tokens skipped and trimmed (as transformers.js' image-to-text pipeline).</param>
/// <param name="TokenIds">The whole generated sequence as transformers.js' <c>generate()</c> returns it: the decoder start
/// token first, then the generated tokens, ending with EOS when one was produced.</param>
public sealed record CaptionResult(string Text, IReadOnlyList<long> TokenIds);
