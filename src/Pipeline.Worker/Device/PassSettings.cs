namespace Pipeline.Worker.Device;

/// <summary>How large a forward pass gets and how long a free device may hold a partial one for more images.</summary>
public sealed record PassSettings(int MaxImages, TimeSpan MaxDelay);
