using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using Npgsql;
using Pipeline.Sources.Watching;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>
/// The Event Grid webhook: the subscription validation handshake, BlobCreated events announcing their blob to the
/// worker (once per version), the shared key, and events of other accounts or containers ignored.
/// </summary>
public sealed class BlobEventTests(PipelineServices services)
{
    private const string Key = "blob-events-key-0123456789";
    private const string Path = "/v1/events/blob-storage";

    [Fact]
    public async Task TheValidationHandshakeAnswersWithItsCodeToTheKeyHolderOnly()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await StartAsync(withWorker: false, cancellationToken);
        var client = run.ClientFor(null);
        object[] handshake =
        [
            new
            {
                id = "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
                topic = $"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{AccountName()}",
                subject = "",
                data = new { validationCode = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl = "https://rp-eastus2.eventgrid.azure.net/..." },
                eventType = "Microsoft.EventGrid.SubscriptionValidationEvent",
                eventTime = DateTimeOffset.UtcNow,
                metadataVersion = "1",
                dataVersion = "2",
            },
        ];

        using var byQuery = await client.PostAsJsonAsync($"{Path}?key={Key}", handshake, cancellationToken);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", (await byQuery.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("validationResponse"));
        using var byHeader = new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonContent.Create(handshake) };
        byHeader.Headers.Add("X-Blob-Events-Key", Key);
        using var headerAnswer = await client.SendAsync(byHeader, cancellationToken);
        Assert.Equal("512d38b6-c7b8-40c8-89fe-f46f9e9622b6", (await headerAnswer.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("validationResponse"));

        using var wrongKey = await client.PostAsJsonAsync($"{Path}?key=not-{Key}", handshake, cancellationToken);
        await wrongKey.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken);
        using var noKey = await client.PostAsJsonAsync(Path, handshake, cancellationToken);
        await noKey.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken);
        using var notEvents = await client.PostAsJsonAsync($"{Path}?key={Key}", new { eventType = "not an array" }, cancellationToken);
        await notEvents.ProblemAsync(HttpStatusCode.BadRequest, cancellationToken);
    }

    [Fact]
    public async Task ABlobCreatedEventAnnouncesTheBlobOncePerVersionAndTheWorkerDescribesIt()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await StartAsync(withWorker: true, cancellationToken);
        var client = run.ClientFor(null);
        var blob = run.Container.GetBlobClient("dave/sunset.png");
        var etag = (await blob.UploadAsync(new BinaryData(Pictures.Photo(7, 320, 240)), cancellationToken)).Value.ETag;
        var version = BlobAnnouncement.Version(etag);
        var imageId = BlobAnnouncement.ImageId(run.Container.Name, blob.Name);

        using var posted = await client.PostAsJsonAsync($"{Path}?key={Key}", new[] { BlobCreated(run.Container, blob, version) }, cancellationToken);
        var outcome = await posted.JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal((1, 0, 0), Counts(outcome));

        var row = await WaitForRowAsync(run.Database, imageId, cancellationToken);
        Assert.Equal(("described", "dave", version, 320), row);
        Assert.Equal(new Dictionary<string, string> { [blob.Name] = version }, await AnnouncedAsync(run.Database, run.Container.Name, cancellationToken));

        // Its id holds '/': the owner reads the result by the escaped id, and the self link it gets back works too.
        var owner = run.ClientFor("dave");
        using var result = await owner.GetAsync($"/v1/images/{Uri.EscapeDataString(imageId)}", cancellationToken);
        var view = await result.JsonAsync(HttpStatusCode.OK, cancellationToken);
        Assert.Equal(imageId, view.Text("id"));
        var self = view.GetProperty("links").Text("self");
        Assert.Equal($"/v1/images/{Uri.EscapeDataString(imageId)}", self);
        using var again = await owner.GetAsync(self, cancellationToken);
        Assert.Equal(imageId, (await again.JsonAsync(HttpStatusCode.OK, cancellationToken)).Text("id"));

        // Event Grid delivers at least once: the same version again is not announced again.
        using var redelivered = await client.PostAsJsonAsync($"{Path}?key={Key}", new[] { BlobCreated(run.Container, blob, version) }, cancellationToken);
        Assert.Equal((0, 1, 0), Counts(await redelivered.JsonAsync(HttpStatusCode.OK, cancellationToken)));
        Assert.Equal(0u, await BrokerQueues.MessageCountAsync(services.Endpoints.RabbitMq, run.QueueName));
    }

    [Fact]
    public async Task EventsOfAnotherAccountOrContainerAreIgnoredAndAWrongKeyIsRefused()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await StartAsync(withWorker: false, cancellationToken);
        var client = run.ClientFor(null);
        var blob = run.Container.GetBlobClient("erin/boat.png");
        var version = BlobAnnouncement.Version((await blob.UploadAsync(new BinaryData(Pictures.Photo(8)), cancellationToken)).Value.ETag);

        using var wrongKey = await client.PostAsJsonAsync($"{Path}?key=not-{Key}", new[] { BlobCreated(run.Container, blob, version) }, cancellationToken);
        await wrongKey.ProblemAsync(HttpStatusCode.Unauthorized, cancellationToken);

        var otherAccount = $"http://127.0.0.1:10000/otheraccount/{run.Container.Name}/erin/boat.png";
        var otherContainer = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("not-watched");
        var dotSegments = $"{run.Container.Uri}/../not-watched/erin/boat.png";
        object[] foreign =
        [
            BlobCreated(run.Container, blob, version, url: otherAccount),
            BlobCreated(otherContainer, otherContainer.GetBlobClient(blob.Name), version),
            BlobCreated(run.Container, blob, version, url: dotSegments),
            new { id = Guid.NewGuid(), eventType = "Microsoft.Storage.BlobDeleted", subject = "", data = new { url = blob.Uri } },
        ];
        using var ignored = await client.PostAsJsonAsync($"{Path}?key={Key}", foreign, cancellationToken);
        Assert.Equal((0, 0, 3), Counts(await ignored.JsonAsync(HttpStatusCode.OK, cancellationToken)));
        Assert.Equal(0u, await BrokerQueues.MessageCountAsync(services.Endpoints.RabbitMq, run.QueueName));

        using var accepted = await client.PostAsJsonAsync($"{Path}?key={Key}", new[] { BlobCreated(run.Container, blob, version) }, cancellationToken);
        Assert.Equal((1, 0, 0), Counts(await accepted.JsonAsync(HttpStatusCode.OK, cancellationToken)));
        Assert.Equal(1u, await BrokerQueues.MessageCountAsync(services.Endpoints.RabbitMq, run.QueueName));
    }

    private Task<ApiRun> StartAsync(bool withWorker, CancellationToken cancellationToken) =>
        ApiRun.StartAsync(services, cancellationToken, withWorker, apiForContainer: container => new Dictionary<string, string?>
        {
            ["BlobEvents:Enabled"] = "true",
            ["BlobEvents:Key"] = Key,
            // Owners from the first folder, as the worker's watcher would derive them.
            ["BlobWatch:Containers:0:Name"] = container,
            ["BlobWatch:OwnerPattern"] = "^(?<owner>[^/]+)/",
        });

    private string AccountName() => new BlobServiceClient(services.Endpoints.Blobs).AccountName;

    /// <summary>A <c>Microsoft.Storage.BlobCreated</c> event as Event Grid delivers it (Event Grid schema).</summary>
    private object BlobCreated(BlobContainerClient container, BlobClient blob, string etag, string? url = null) => new
    {
        topic = $"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{AccountName()}",
        subject = $"/blobServices/default/containers/{container.Name}/blobs/{blob.Name}",
        eventType = "Microsoft.Storage.BlobCreated",
        eventTime = DateTimeOffset.UtcNow,
        id = Guid.NewGuid(),
        data = new
        {
            api = "PutBlob",
            clientRequestId = Guid.NewGuid(),
            requestId = Guid.NewGuid(),
            eTag = etag,
            contentType = "image/png",
            contentLength = 1234,
            blobType = "BlockBlob",
            url = url ?? blob.Uri.ToString(),
            sequencer = "00000000000004420000000000028963",
            storageDiagnostics = new { batchId = Guid.NewGuid() },
        },
        dataVersion = "",
        metadataVersion = "1",
    };

    private static (int Announced, int AlreadyAnnounced, int Ignored) Counts(System.Text.Json.JsonElement outcome) => (
        outcome.GetProperty("announced").GetInt32(), outcome.GetProperty("alreadyAnnounced").GetInt32(), outcome.GetProperty("ignored").GetInt32());

    private static async Task<(string Status, string Owner, string? Version, int? Width)> WaitForRowAsync(
        string database, string imageId, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        while (true)
        {
            await using var command = new NpgsqlCommand("SELECT status, owner_id, source_version, width FROM images WHERE id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = imageId });
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    return (reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetInt32(3));
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"No row for {imageId} after 120 s");
            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<Dictionary<string, string>> AnnouncedAsync(string database, string container, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT name, etag FROM announced_blobs WHERE container = $1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = container });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var announced = new Dictionary<string, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            announced.Add(reader.GetString(0), reader.GetString(1));
        }

        return announced;
    }
}
