using Microsoft.Extensions.Options;

namespace Pipeline.Inference.Florence;

/// <summary>Each configured task must be one of Florence-2's and give the kind of answer its setting stores.</summary>
public sealed class FlorenceOptionsValidator : IValidateOptions<FlorenceOptions>
{
    public ValidateOptionsResult Validate(string? name, FlorenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new[]
        {
            Check(nameof(options.AltTextTask), options.AltTextTask, FlorenceOutputKind.Text, required: true),
            Check(nameof(options.LongDescriptionTask), options.LongDescriptionTask, FlorenceOutputKind.Text, required: false),
            Check(nameof(options.ObjectsTask), options.ObjectsTask, FlorenceOutputKind.LabelledBoxes, required: false),
        }.OfType<string>().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? Check(string setting, string? token, FlorenceOutputKind kind, bool required)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return required ? $"{FlorenceOptions.Section}:{setting} is required." : null;
        }

        var allowed = FlorenceTask.All.Where(t => t.Output == kind).Select(t => t.Token).ToList();
        return allowed.Contains(token, StringComparer.Ordinal)
            ? null
            : $"{FlorenceOptions.Section}:{setting} is '{token}'; expected one of {string.Join(", ", allowed)}.";
    }
}
