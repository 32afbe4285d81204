namespace Pipeline.Cli.Errors;

/// <summary>What <c>pipeline</c>'s exit code means (docs/OPERATIONS.md, Command line), so scripts can tell the cases apart.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Ok = 0;

    /// <summary>The command ran, but not everything came out well: an image failed, a picture was not found, a file does not match its lock.</summary>
    public const int SomethingFailed = 1;

    /// <summary>The command line or a setting is wrong: an unknown option, an empty query, a missing folder, an unset connection string.</summary>
    public const int Usage = 2;

    /// <summary>A service could not be reached or refused the request: Postgres, RabbitMQ, the blob store, the model hub, npm.</summary>
    public const int Unavailable = 3;

    /// <summary>Gave up waiting: <c>ingest --timeout</c> passed with images still pending.</summary>
    public const int TimedOut = 4;

    /// <summary>Something the tool did not expect; <c>--verbose</c> shows the whole error.</summary>
    public const int Unexpected = 70;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
