using Pipeline.Inference.Contract;

namespace Pipeline.Inference.Captioning;

/// <param name="Text">The decoded caption, special tokens skipped and trimmed (as transformers.js' image-to-text pipeline).</param>
/// <param name="TokenIds">The whole generated sequence as transformers.js' <c>generate()</c> returns it: the decoder start
/// token first, then the generated tokens, ending with EOS when one was produced.</param>
public sealed record CaptionResult(string Text, IReadOnlyList<long> TokenIds) : ModelResult
{
    public override void AddTo(IResultSheet sheet, ModelIdentity by)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        sheet.AddCaption(by, Text);
    }
}
