namespace Pipeline.Inference.Runtime;

/// <summary>A configured model is missing or unreadable: the worker refuses to start rather than run without it.</summary>
public sealed class ModelNotFoundException : Exception
{
    public ModelNotFoundException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
