using System.ComponentModel.DataAnnotations;
using Pipeline.Messaging;

namespace Pipeline.Worker.Intake;

/// <summary>How messages become batches (section <c>Batching</c>).</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>The input queue producers send <c>ImageUploaded</c> to.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._:-]+$")]
    public string QueueName { get; set; } = QueueNames.ImageUploaded;

    /// <summary>Messages per consumed batch, and images per model forward pass.</summary>
    [Range(1, 64)]
    public int MaxBatchSize { get; set; } = 5;

    /// <summary>
    /// How long a partial consumed batch waits for more messages, from its first message. Short: batching for the
    /// models happens at the device (<see cref="MaxQueueDelayMs"/>), this only groups fetching and the insert.
    /// </summary>
    [Range(1, 60_000)]
    public int TimeLimitMs { get; set; } = 5;

    /// <summary>
    /// The longest a partial batch is held at a free device for more images (Triton's max queue delay). Within it the
    /// worker waits only while its measurements say the next image will arrive before waiting stops paying.
    /// </summary>
    [Range(0, 10_000)]
    public int MaxQueueDelayMs { get; set; } = 100;

    /// <summary>
    /// Consumed batches in flight at once: while one is in inference the others are fetched, decoded and written
    /// (inference itself runs one forward pass at a time per device, over images of any of them).
    /// </summary>
    [Range(1, 16)]
    public int ConcurrentBatches { get; set; } = 3;

    /// <summary>
    /// Retries of a batch that hit an infrastructure fault before its messages go to the <c>_error</c> queue. With the
    /// default delays the retries span 75–150 s, so a database, blob store or broker outage shorter than that heals
    /// with nothing parked; longer ones park the batches they caught, and <c>pipeline redrive</c> brings them back.
    /// </summary>
    [Range(0, 20)]
    public int RetryLimit { get; set; } = 10;

    [Range(1, 600_000)]
    public int RetryMinDelayMs { get; set; } = 200;

    [Range(1, 3_600_000)]
    public int RetryMaxDelayMs { get; set; } = 30_000;

    /// <summary>
    /// Times describing one image may stop a worker process (killed by the kernel's OOM killer, a native crash) before
    /// the image fails with <c>worker-crashed</c> and its message is parked. The broker counts the deliveries a worker
    /// never finished; after the first, the image is described alone (<c>&lt;queue&gt;_isolation</c>), so that it cannot
    /// take the images it was batched with down with it.
    /// </summary>
    [Range(1, 10)]
    public int CrashLimit { get; set; } = 3;

    /// <summary>Messages the broker may push ahead: enough for every batch in flight plus the one forming.</summary>
    public int PrefetchCount => MaxBatchSize * (ConcurrentBatches + 1);
}
