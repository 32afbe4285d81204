using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;

namespace Pipeline.Api.BlobEvents;

/// <summary>
/// <c>POST /v1/events/blob-storage</c>: an Event Grid webhook (Event Grid schema). It answers the subscription
/// validation handshake and announces the blobs of <c>Microsoft.Storage.BlobCreated</c> events
/// (<see cref="BlobEventAnnouncer"/>); other event types are accepted and ignored. Not an owner's endpoint: the caller
/// proves itself with the shared secret BlobEvents:Key, sent as <c>?key=</c> in the subscription's URL or in the
/// <c>X-Blob-Events-Key</c> header.
/// </summary>
public static class BlobEventEndpoints
{
    public const string KeyHeader = "X-Blob-Events-Key";

    /// <summary>Event Grid delivers at most 1 MB at a time.</summary>
    private const long MaxBodyBytes = 1024 * 1024;

    public static WebApplication MapBlobEventEndpoints(this WebApplication app)
    {
        app.MapPost("/v1/events/blob-storage", HandleAsync)
            .AllowAnonymous()
            .WithTags("Events")
            .WithSummary("Event Grid webhook: subscription validation and Microsoft.Storage.BlobCreated")
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .Produces<BlobEventsOutcome>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<IResult> HandleAsync(
        HttpRequest request, BlobEventAnnouncer announcer, IOptions<BlobEventsOptions> options, CancellationToken cancellationToken)
    {
        if (!KeyMatches(request, options.Value.Key))
        {
            return ApiProblems.Problem(StatusCodes.Status401Unauthorized, "Who is asking?",
                $"Send BlobEvents:Key as ?key= or in the {KeyHeader} header.");
        }

        List<EventGridEvent>? events;
        try
        {
            events = await JsonSerializer.DeserializeAsync<List<EventGridEvent>>(request.Body, JsonSerializerOptions.Web, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (JsonException)
        {
            events = null;
        }

        if (events is null)
        {
            return ApiProblems.BadRequest("The body must be a JSON array of Event Grid events.");
        }

        if (events.FirstOrDefault(e => e.EventType == EventGridEvent.SubscriptionValidation) is { } validation)
        {
            var code = validation.Data.ValueKind == JsonValueKind.Object
                ? validation.Data.Deserialize<SubscriptionValidationData>(JsonSerializerOptions.Web)?.ValidationCode
                : null;
            return code is null
                ? ApiProblems.BadRequest("The validation event has no data.validationCode.")
                : TypedResults.Ok(new { validationResponse = code });
        }

        return TypedResults.Ok(await announcer.AnnounceAsync(events, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Compared as SHA-256 digests in constant time: neither the key's content nor its length leaks through timing.</summary>
    private static bool KeyMatches(HttpRequest request, string key)
    {
        var given = request.Query.TryGetValue("key", out var query) ? query.ToString()
            : request.Headers.TryGetValue(KeyHeader, out var header) ? header.ToString()
            : null;
        return given is not null && key.Length > 0 && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
