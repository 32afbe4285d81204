using Pipeline.Messaging;

namespace Pipeline.Cli.Queues;

/// <summary>
/// Why a message waits in <c>&lt;queue&gt;_error</c>, read from the headers whoever parked it wrote, and whether moving it
/// back may help. Only infrastructure faults (database, blob store, broker) may: the rest would fail again, and so
/// would a fault nothing here recognises, which is therefore never taken for a passing outage.
/// </summary>
/// <param name="Kind">What to count by: <c>database unreachable</c>, <c>not keyable</c>, <c>worker-crashed</c>, <c>delivery limit</c>.</param>
/// <param name="Detail">The exception type MassTransit recorded, when there is one.</param>
/// <param name="MayRetry">True when a retry may succeed once the fault is fixed.</param>
internal sealed record ParkedReason(string Kind, string? Detail, bool MayRetry)
{
    /// <summary>Thrown by the service clients when a service cannot be reached or answers with an error.</summary>
    private static readonly string[] InfrastructureExceptions =
    [
        "Npgsql.NpgsqlException", "Npgsql.PostgresException", "Azure.RequestFailedException", "System.TimeoutException",
        "System.Net.Http.HttpRequestException", "System.Net.Sockets.SocketException", "System.IO.IOException", "System.IO.EndOfStreamException",
    ];

    /// <summary>Thrown while a message is read: not JSON, or without a usable id (ImageUploaded's own checks).</summary>
    private static readonly string[] UnreadableExceptions =
        ["System.Text.Json.JsonException", "System.Text.Json.JsonReaderException", "MassTransit.SerializationException"];

    /// <summary>The namespaces of the service clients, and which service each reaches.</summary>
    private static readonly (string Namespace, string Service)[] ServiceClients =
        [("Npgsql.", "database"), ("Azure.", "blob store"), ("RabbitMQ.", "broker")];

    /// <summary>The label a person reads: the kind, and the exception type where one was recorded.</summary>
    public string Label => Detail is null ? Kind : $"{Kind} ({Detail})";

    public static ParkedReason Of(IDictionary<string, object?>? headers)
    {
        // The worker's own reason first: it parks a message only when processing it cannot end well.
        if (AmqpHeaders.Text(headers, ParkedMessages.ReasonHeader) is { Length: > 0 } parkedByWorker)
        {
            return new ParkedReason(parkedByWorker, null, MayRetry: false);
        }

        // Delivered and given back until the queue's delivery limit: it stops whoever takes it, every time.
        if (AmqpHeaders.Text(AmqpHeaders.LatestDeath(headers, "reason")) is { Length: > 0 } death)
        {
            return death == "delivery_limit" ? new ParkedReason("delivery limit", null, MayRetry: false) : new ParkedReason("dead-lettered", death, MayRetry: false);
        }

        return AmqpHeaders.Text(headers, "MT-Fault-ExceptionType") is { Length: > 0 } exceptionType
            ? Fault(exceptionType, headers)
            : new ParkedReason("no reason recorded", null, MayRetry: false);
    }

    private static ParkedReason Fault(string exceptionType, IDictionary<string, object?>? headers)
    {
        // MassTransit names the consumer only when the message reached it: one refused while read names none.
        var refusedWhileRead = AmqpHeaders.Text(headers, "MT-Fault-ConsumerType") is null;
        if (refusedWhileRead && UnreadableExceptions.Contains(exceptionType, StringComparer.Ordinal))
        {
            return new ParkedReason("not keyable", exceptionType, MayRetry: false);
        }

        // MassTransit records the innermost exception (a refused socket rather than Npgsql's), so the service is the
        // client nearest the throw: the type's or the first frame's. Azure's retry policy gives up with an AggregateException.
        var service = ServiceOf(exceptionType, AmqpHeaders.Text(headers, "MT-Fault-StackTrace"));
        var infrastructure = InfrastructureExceptions.Contains(exceptionType, StringComparer.Ordinal)
            || exceptionType.StartsWith("RabbitMQ.Client.Exceptions.", StringComparison.Ordinal)
            || (exceptionType == "System.AggregateException" && service is not null);
        if (!infrastructure)
        {
            return new ParkedReason("unexpected fault", exceptionType, MayRetry: false);
        }

        var what = exceptionType switch
        {
            "System.TimeoutException" => "timed out",
            "Npgsql.PostgresException" or "Azure.RequestFailedException" => "error",
            _ => "unreachable",
        };
        return new ParkedReason($"{service ?? "service"} {what}", exceptionType, MayRetry: true);
    }

    private static string? ServiceOf(string exceptionType, string? stackTrace)
    {
        // Frames read "   at Npgsql.Internal.NpgsqlConnector.Open(…)", innermost first.
        var frames = (stackTrace ?? "").Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("at ", StringComparison.Ordinal)).Select(line => line[3..]);
        return frames.Prepend(exceptionType)
            .Select(name => ServiceClients.FirstOrDefault(client => name.StartsWith(client.Namespace, StringComparison.Ordinal)).Service)
            .FirstOrDefault(service => service is not null);
    }
}
