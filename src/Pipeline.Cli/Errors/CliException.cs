namespace Pipeline.Cli.Errors;

/// <summary>A failure the tool understands: <see cref="Exception.Message"/> is the one line a person reads (what failed, what to do).</summary>
internal sealed class CliException(int exitCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
