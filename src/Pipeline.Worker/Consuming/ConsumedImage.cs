using System.Diagnostics;
using Pipeline.Contracts;

namespace Pipeline.Worker.Consuming;

/// <summary>A message of a consumed batch with the trace context its producer sent along (default when none).</summary>
public sealed record ConsumedImage(ImageUploaded Message, ActivityContext Producer);
