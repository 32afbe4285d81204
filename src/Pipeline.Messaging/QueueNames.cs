namespace Pipeline.Messaging;

public static class QueueNames
{
    /// <summary>The worker's input queue unless <c>Batching:QueueName</c> says otherwise.</summary>
    public const string ImageUploaded = "image-uploaded";
}
