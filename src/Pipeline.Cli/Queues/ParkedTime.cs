using System.Globalization;
using RabbitMQ.Client;

namespace Pipeline.Cli.Queues;

/// <summary>When a message was parked, where whoever parked it recorded that: MassTransit's fault or RabbitMQ's dead-lettering.</summary>
internal static class ParkedTime
{
    public static DateTimeOffset? Of(IDictionary<string, object?>? headers)
    {
        if (AmqpHeaders.Text(headers, "MT-Fault-Timestamp") is { } faulted
            && DateTimeOffset.TryParse(faulted, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }

        return AmqpHeaders.LatestDeath(headers, "time") is AmqpTimestamp died
            ? DateTimeOffset.FromUnixTimeSeconds(died.UnixTime)
            : null;
    }
}
