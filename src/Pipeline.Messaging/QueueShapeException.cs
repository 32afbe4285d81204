namespace Pipeline.Messaging;

/// <summary>A queue exists with other arguments than this version declares (a classic input queue of an earlier version).</summary>
public sealed class QueueShapeException(string message, Exception? inner = null) : Exception(message, inner);
