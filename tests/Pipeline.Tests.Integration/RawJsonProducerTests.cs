using System.Text;
using Pipeline.Contracts;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;
using RabbitMQ.Client;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>A producer without MassTransit (Python's pika, Node's amqplib) publishes the README's plain JSON.</summary>
public sealed class RawJsonProducerTests(PipelineServices services)
{
    [Theory]
    [InlineData("application/json")]
    [InlineData(null)]
    public async Task PlainJsonWithoutEnvelopeIsDescribed(string? contentType)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var database = await services.CreateDatabaseAsync(cancellationToken);
        await using var worker = await WorkerUnderTest.StartAsync(services, database, 5, cancellationToken);
        await using var results = await ResultCollector.StartAsync(services.Endpoints.RabbitMq, cancellationToken);

        var imageId = "raw-" + Guid.NewGuid().ToString("N")[..8];
        var png = TestImages.Encode(64, 48, SKColors.Teal, SKColors.Gold, SKEncodedImageFormat.Png);
        var json = $$$"""
            {"imageId": "{{{imageId}}}", "ownerId": "python-producer",
             "source": {"type": "inline", "data": "{{{Convert.ToBase64String(png)}}}"}}
            """;
        results.Watch(imageId);
        await PublishRawAsync(worker.QueueName, json, contentType, cancellationToken);

        await results.WaitForAsync([imageId], 1, TimeSpan.FromSeconds(60), cancellationToken);
        var described = Assert.Single(results.Described);
        Assert.Equal((imageId, "python-producer", 64, 48), (described.ImageId, described.OwnerId, described.Width, described.Height));
        var row = Assert.Single(await StoredRows.ReadAsync(database, cancellationToken));
        Assert.Equal((imageId, ImageStatus.Described, 512), (row.Id, row.Status, row.EmbeddingDimensions));
    }

    private async Task PublishRawAsync(string queue, string json, string? contentType, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(services.Endpoints.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        var properties = new BasicProperties { ContentType = contentType, DeliveryMode = DeliveryModes.Persistent };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(json), cancellationToken);
    }
}
