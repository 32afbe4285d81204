using Azure.Storage.Blobs;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>
/// A picture of a sign through the real PP-OCRv4 weights: its words end in alt-text, ocr_text, ocr_lines and the
/// full-text index. One word per line: this is about the wiring; the reader's own accuracy has its own tests.
/// </summary>
public sealed class ReadingTextEndToEndTests(PipelineServices services)
{
    [Fact]
    public async Task WordsOnASignEndInAltTextOcrTextAndTheFullTextIndex()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Ocr:Path"] = PipelineServices.OcrModelFolder,
        });
        var container = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("test-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        try
        {
            var sign = container.GetBlobClient("sign.png");
            await sign.UploadAsync(new BinaryData(Sign(["STOP", "EXIT"])), cancellationToken);
            var plain = container.GetBlobClient("plain.png");
            await plain.UploadAsync(new BinaryData(TestImages.Encode(320, 240, SKColors.SkyBlue, SKColors.ForestGreen, SKEncodedImageFormat.Png)), cancellationToken);
            var id = Guid.NewGuid().ToString("N")[..8];
            ImageUploaded[] messages =
            [
                new($"{id}-sign", "owner-ocr", ImageSource.Blob(sign.Uri)),
                new($"{id}-plain", "owner-ocr", ImageSource.Blob(plain.Uri)),
            ];

            await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
            await run.Results.WaitForAsync([.. messages.Select(m => m.ImageId)], 1, TimeSpan.FromSeconds(120), cancellationToken);

            var rows = (await StoredRows.ReadAsync(run.Database, cancellationToken)).ToDictionary(r => r.Id);
            var signRow = rows[$"{id}-sign"];
            Assert.Equal("Text: \"STOP\", \"EXIT\".", signRow.AltText);
            var plainRow = rows[$"{id}-plain"];
            Assert.Null(plainRow.AltText);

            var described = run.Results.Described.Single(d => d.ImageId == $"{id}-sign");
            Assert.Equal("STOP\nEXIT", described.OcrText);
            Assert.True(described.TimingsMs.ContainsKey(StageNames.ReadText));

            await using var connection = new NpgsqlConnection(run.Database);
            await connection.OpenAsync(cancellationToken);
            await using var search = new NpgsqlCommand(
                "SELECT id, ocr_model_id, jsonb_array_length(ocr_lines), ocr_lines->0->>'text' FROM images WHERE search_text @@ plainto_tsquery('simple', @q)", connection);
            search.Parameters.AddWithValue("q", "exit");
            await using var reader = await search.ExecuteReaderAsync(cancellationToken);
            Assert.True(await reader.ReadAsync(cancellationToken), "the full-text index does not find the sign by its words");
            Assert.Equal(($"{id}-sign", "ppocr-v4", 2, "STOP"), (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3)));
            Assert.False(await reader.ReadAsync(cancellationToken));
        }
        finally
        {
            await container.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }

    [Fact]
    public async Task WithOcrSwitchedOffASignGetsNoTextPart()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Ocr:Path"] = PipelineServices.OcrModelFolder,
            ["Ocr:Enabled"] = "false",
        });
        var container = new BlobServiceClient(services.Endpoints.Blobs).GetBlobContainerClient("test-" + Guid.NewGuid().ToString("N")[..12]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        try
        {
            var sign = container.GetBlobClient("sign.png");
            await sign.UploadAsync(new BinaryData(Sign(["STOP"])), cancellationToken);
            var id = Guid.NewGuid().ToString("N")[..8] + "-sign";

            await run.Results.SendAsync(run.Worker.QueueName, [new ImageUploaded(id, "owner-ocr", ImageSource.Blob(sign.Uri))], cancellationToken);
            await run.Results.WaitForAsync([id], 1, TimeSpan.FromSeconds(120), cancellationToken);

            var row = (await StoredRows.ReadAsync(run.Database, cancellationToken)).Single();
            Assert.Equal((id, "described"), (row.Id, row.Status));
            Assert.Null(row.AltText);
            var described = run.Results.Described.Single();
            Assert.Null(described.OcrText);
            Assert.False(described.TimingsMs.ContainsKey(StageNames.ReadText));
        }
        finally
        {
            await container.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>White capitals on a red sign, one line per entry, in DejaVu Sans Bold.</summary>
    private static byte[] Sign(string[] lines)
    {
        using var bitmap = new SKBitmap(480, 320);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(190, 20, 30));
            using var typeface = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
            using var font = new SKFont(typeface, 64);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            for (var i = 0; i < lines.Length; i++)
            {
                canvas.DrawText(lines[i], 240, 130 + (i * 100), SKTextAlign.Center, font, paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
