using System.Text.Json;

namespace Pipeline.Api.BlobEvents;

/// <summary>One event of the Event Grid schema (a delivery is a JSON array of them).</summary>
public sealed record EventGridEvent(string? Id, string? Topic, string? Subject, string? EventType, DateTimeOffset? EventTime, JsonElement Data)
{
    public const string SubscriptionValidation = "Microsoft.EventGrid.SubscriptionValidationEvent";
    public const string BlobCreated = "Microsoft.Storage.BlobCreated";
}

/// <summary>The <c>data</c> of a subscription validation event.</summary>
public sealed record SubscriptionValidationData(string? ValidationCode);

/// <summary>The parts of a <c>Microsoft.Storage.BlobCreated</c> event's <c>data</c> that are used.</summary>
public sealed record BlobCreatedData(string? Url, string? ETag);
