using System.Diagnostics;
using Pipeline.Inference.Contract;

namespace Pipeline.Worker.Device;

/// <summary>One image handed to the device: its prepared inputs (its owner keeps them) and the trace its spans go under.</summary>
public sealed record PassImage(ModelInputs Inputs, Activity? Trace);
