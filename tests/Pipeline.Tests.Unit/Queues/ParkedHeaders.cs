using System.Text;
using RabbitMQ.Client;

namespace Pipeline.Tests.Unit.Queues;

/// <summary>Headers of parked messages as RabbitMQ.Client hands them over (strings as bytes), copied from real ones.</summary>
internal static class ParkedHeaders
{
    /// <summary>What MassTransit writes when a batch exhausted its retries (here: the database refused the connection).</summary>
    public static Dictionary<string, object?> BatchFault(string exceptionType, string stackTrace = "   at Pipeline.Worker.Batches.BatchProcessor.ProcessAsync()") => new()
    {
        ["MT-Reason"] = Bytes("fault"),
        ["MT-Fault-ExceptionType"] = Bytes(exceptionType),
        ["MT-Fault-Message"] = Bytes("Connection refused"),
        ["MT-Fault-Timestamp"] = Bytes("2026-12-07T11:29:08.6823477Z"),
        ["MT-Fault-StackTrace"] = Bytes(stackTrace),
        ["MT-Fault-ConsumerType"] = Bytes("MassTransit.Batching.BatchConsumer<Pipeline.Contracts.ImageUploaded>"),
        ["MT-Fault-MessageType"] = Bytes("Pipeline.Contracts.ImageUploaded"),
        ["MT-Fault-RetryCount"] = 10,
    };

    /// <summary>What MassTransit writes on a message it could not read: no consumer, no retries.</summary>
    public static Dictionary<string, object?> RefusedWhileRead(string exceptionType, string message) => new()
    {
        ["MT-Reason"] = Bytes("fault"),
        ["MT-Fault-ExceptionType"] = Bytes(exceptionType),
        ["MT-Fault-Message"] = Bytes(message),
        ["MT-Fault-Timestamp"] = Bytes("2026-12-07T11:29:07.1104457Z"),
        ["MT-Fault-StackTrace"] = Bytes("   at Pipeline.Contracts.ImageUploaded.System.Text.Json.Serialization.IJsonOnDeserialized.OnDeserialized()"),
    };

    /// <summary>What RabbitMQ writes when it dead-letters a message (a quorum queue's delivery limit: <c>delivery_limit</c>).</summary>
    public static Dictionary<string, object?> DeadLettered(string reason, long unixTime) => new()
    {
        ["x-death"] = new List<object?>
        {
            new Dictionary<string, object?>
            {
                ["count"] = 1L,
                ["reason"] = Bytes(reason),
                ["queue"] = Bytes("image-uploaded"),
                ["time"] = new AmqpTimestamp(unixTime),
                ["exchange"] = Bytes(""),
                ["routing-keys"] = new List<object?> { Bytes("image-uploaded") },
            },
        },
        ["x-first-death-exchange"] = Bytes(""),
        ["x-first-death-queue"] = Bytes("image-uploaded"),
        ["x-first-death-reason"] = Bytes(reason),
    };

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
