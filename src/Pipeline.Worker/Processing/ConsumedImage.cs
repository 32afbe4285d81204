using System.Diagnostics;
using Pipeline.Contracts;

namespace Pipeline.Worker.Processing;

/// <summary>A message of a consumed batch with the trace context its producer sent along (default when none).</summary>
/// <param name="Refused">Decided before any work: the image fails with this (it stopped workers too often).</param>
public sealed record ConsumedImage(ImageUploaded Message, ActivityContext Producer, ImageRejectedException? Refused = null);
