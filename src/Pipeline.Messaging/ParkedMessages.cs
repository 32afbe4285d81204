namespace Pipeline.Messaging;

/// <summary>
/// What a worker writes on a message it parks in <c>&lt;queue&gt;_error</c> itself (rather than through MassTransit's
/// fault handling, whose <c>MT-Fault-*</c> headers say why), so that <c>pipeline status</c> and <c>pipeline redrive</c>
/// can tell a message that would fail again from one that waited out an outage.
/// </summary>
public static class ParkedMessages
{
    /// <summary>The reason code (<see cref="WorkerCrashed"/>, …): such a message would fail again if moved back.</summary>
    public const string ReasonHeader = "pipeline-parked-reason";

    /// <summary>One line for a person: what happened to the message.</summary>
    public const string MessageHeader = "pipeline-parked-message";

    /// <summary>Describing the image stopped the worker process as many times as the crash limit allows.</summary>
    public const string WorkerCrashed = "worker-crashed";
}
