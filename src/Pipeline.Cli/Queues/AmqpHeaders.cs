using System.Collections;
using System.Text;

namespace Pipeline.Cli.Queues;

/// <summary>Header values as RabbitMQ.Client hands them over: AMQP strings arrive as bytes, tables as dictionaries.</summary>
internal static class AmqpHeaders
{
    /// <summary>A header's text; null when it is absent or not text.</summary>
    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value) ? Text(value) : null;

    public static string? Text(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    };

    /// <summary>
    /// A field (<c>reason</c>, <c>time</c>, …) of the latest entry of RabbitMQ's <c>x-death</c> header (the broker puts the
    /// newest first): how the message came to the queue it is in. Null when the broker never dead-lettered it.
    /// </summary>
    public static object? LatestDeath(IDictionary<string, object?>? headers, string field) =>
        headers is not null && headers.TryGetValue("x-death", out var deaths) && deaths is IList { Count: > 0 } entries
            && entries[0] is IDictionary<string, object?> latest && latest.TryGetValue(field, out var value)
            ? value
            : null;
}
