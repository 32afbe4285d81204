namespace Pipeline.Inference.Captioning.Chat;

/// <summary>
/// The captioning provider could not be used (rate-limited or failing past the retries, unreachable, or refusing the
/// configured key or model): an infrastructure fault, so the batch is retried and its images are not failed.
/// </summary>
public sealed class CaptioningUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
