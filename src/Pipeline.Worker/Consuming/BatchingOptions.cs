using System.ComponentModel.DataAnnotations;
using Pipeline.Messaging;

namespace Pipeline.Worker.Consuming;

/// <summary>How messages become batches (section <c>Batching</c>).</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>The input queue producers send <c>ImageUploaded</c> to.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._:-]+$")]
    public string QueueName { get; set; } = QueueNames.ImageUploaded;

    /// <summary>Images per model forward pass.</summary>
    [Range(1, 64)]
    public int MaxBatchSize { get; set; } = 5;

    /// <summary>How long a partial batch waits for more messages, from its first message.</summary>
    [Range(1, 60_000)]
    public int TimeLimitMs { get; set; } = 250;

    /// <summary>
    /// Batches in flight at once. Two lets batch k+1 be fetched and decoded while batch k is in inference
    /// (inference itself runs one batch at a time per device).
    /// </summary>
    [Range(1, 16)]
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>Retries of a batch that hit an infrastructure fault before its messages go to the <c>_error</c> queue.</summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 5;

    [Range(1, 600_000)]
    public int RetryMinDelayMs { get; set; } = 200;

    [Range(1, 3_600_000)]
    public int RetryMaxDelayMs { get; set; } = 30_000;

    /// <summary>Messages the broker may push ahead: enough for every batch in flight plus the one forming.</summary>
    public int PrefetchCount => MaxBatchSize * (ConcurrentBatches + 1);
}
