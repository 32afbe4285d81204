using System.Net.Sockets;
using Azure;
using Microsoft.Extensions.Options;
using Npgsql;
using Pipeline.Inference.Runtime;
using RabbitMQ.Client.Exceptions;

namespace Pipeline.Cli.Errors;

/// <summary>
/// Turns what a command threw into one line a person can act on and the exit code scripts check (<see cref="ExitCodes"/>).
/// The whole exception is printed only with <c>--verbose</c>.
/// </summary>
internal sealed record CliFailure(int ExitCode, string Message)
{
    private const string StartServices = "start it (deploy/local/services.sh up)";

    public static CliFailure From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Find<CliException>(exception) is { } known)
        {
            return new CliFailure(known.ExitCode, known.Message);
        }

        if (exception is OperationCanceledException or TaskCanceledException)
        {
            return new CliFailure(ExitCodes.Interrupted, "Interrupted.");
        }

        if (Find<PostgresException>(exception) is { } postgres)
        {
            return new CliFailure(ExitCodes.Unavailable, Postgres(postgres));
        }

        if (Find<NpgsqlException>(exception) is { } npgsql)
        {
            return new CliFailure(ExitCodes.Unavailable,
                $"Cannot reach Postgres ({Reason(npgsql)}): {StartServices} or check Host and Port in ConnectionStrings__Postgres.");
        }

        if (Find<AuthenticationFailureException>(exception) is { } login)
        {
            return new CliFailure(ExitCodes.Unavailable, $"RabbitMQ refused the login ({login.Message}): check the user and password in ConnectionStrings__RabbitMq.");
        }

        if (Find<BrokerUnreachableException>(exception) is { } broker)
        {
            return new CliFailure(ExitCodes.Unavailable, $"Cannot reach RabbitMQ ({Reason(broker)}): {StartServices} or check ConnectionStrings__RabbitMq.");
        }

        if (Find<RequestFailedException>(exception) is { } blob)
        {
            return new CliFailure(ExitCodes.Unavailable, blob.Status switch
            {
                0 => $"Cannot reach the blob store ({Reason(blob)}): {StartServices} or check BlobEndpoint in ConnectionStrings__Blobs.",
                403 => $"The blob store refused the account in ConnectionStrings__Blobs ({blob.ErrorCode}): check AccountName and AccountKey.",
                _ => $"The blob store answered {blob.Status} ({blob.ErrorCode}).",
            });
        }

        return exception switch
        {
            OptionsValidationException options => new CliFailure(ExitCodes.Usage, string.Join(" ", options.Failures)),
            ModelNotFoundException model => new CliFailure(ExitCodes.Usage, model.Message),
            DirectoryNotFoundException or FileNotFoundException or FormatException => new CliFailure(ExitCodes.Usage, exception.Message),
            _ when Find<SocketException>(exception) is { } socket =>
                new CliFailure(ExitCodes.Unavailable, $"A service did not answer ({socket.Message}): {StartServices} or check the ConnectionStrings__* variables."),
            _ => new CliFailure(ExitCodes.Unexpected, $"{exception.GetType().Name}: {FirstLine(exception.Message)} (--verbose shows the details)"),
        };
    }

    private static string Postgres(PostgresException e) => e.SqlState switch
    {
        PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
            $"Postgres refused the login ({e.SqlState}: {e.MessageText}): check Username and Password in ConnectionStrings__Postgres.",
        PostgresErrorCodes.InvalidCatalogName =>
            $"Postgres has no such database ({e.MessageText}): run pipeline migrate, which creates it, or check Database in ConnectionStrings__Postgres.",
        PostgresErrorCodes.UndefinedTable =>
            $"The database has no pipeline tables yet ({e.MessageText}): run pipeline migrate.",
        _ => $"Postgres answered {e.SqlState}: {e.MessageText}.",
    };

    /// <summary>The innermost message: "Connection refused" rather than "Failed to connect" or "None of the endpoints were reachable".</summary>
    private static string Reason(Exception exception)
    {
        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[0] : inner.InnerException;
        }

        return inner == exception || exception.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? FirstLine(exception.Message)
            : $"{FirstLine(exception.Message).TrimEnd('.')}: {FirstLine(inner.Message)}";
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }

            if (current is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(Find<T>).FirstOrDefault(e => e is not null);
            }
        }

        return null;
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
