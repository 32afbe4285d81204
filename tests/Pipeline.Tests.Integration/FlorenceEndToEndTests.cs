using System.Text.Json;
using Npgsql;
using Pipeline.Contracts;
using Pipeline.StandInModels.Florence;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration;

/// <summary>
/// The worker with <c>Captioning:Backend Florence</c> on a tiny Florence-2 stand-in (real layout, real tokenizer,
/// random weights): twelve pictures of different sizes get alt-text, a long description and objects with boxes inside
/// the picture, in rows and events; an object's label finds its picture in full text; a truncated JPEG among them fails
/// alone, and so does a message asking a task only a chat model answers; messages asking regions, text with regions
/// and the text get their answers.
/// </summary>
public sealed class FlorenceEndToEndTests(PipelineServices services) : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task TwelvePicturesGetAltTextALongDescriptionAndObjectsAndABrokenOneFailsAlone()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var model = _folder.Sub("florence");
        FlorenceStandIn.Write(model, new FlorenceStandInOptions());
        await using var run = await PipelineRun.StartAsync(services, 5, cancellationToken, new Dictionary<string, string?>
        {
            ["Batching:TimeLimitMs"] = "1000",
            ["Captioning:Backend"] = "Florence",
            ["Models:Florence:Path"] = model,
            ["Models:Florence:Variant"] = "fp32",
            ["Models:Florence:MaxNewTokens"] = "40",
        });
        var messages = Enumerable.Range(0, 12).Select(Picture).ToList();
        // Three of them ask more of the captioner; a question is a chat model's, so that one fails alone.
        messages[3] = messages[3] with { Task = new CaptionTask(CaptionTaskKinds.Regions) };
        messages[5] = messages[5] with { Task = new CaptionTask(CaptionTaskKinds.TextRegions) };
        messages[7] = messages[7] with { Task = new CaptionTask(CaptionTaskKinds.Ocr) };
        messages.Add(new ImageUploaded("florence-broken", "florence-owner", ImageSource.Inline(TestImages.TruncatedJpeg())));
        messages.Add(Picture(12) with { ImageId = "florence-question", Task = new CaptionTask(CaptionTaskKinds.Question, "Is it raining?") });

        await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
        await run.Results.WaitForAsync([.. messages.Select(m => m.ImageId)], 1, TimeSpan.FromSeconds(120), cancellationToken);

        var rows = await ReadAsync(run.Database, cancellationToken);
        Assert.Equal((ImageStatus.Failed, FailureReasons.TruncatedImage), (rows["florence-broken"].Status, rows["florence-broken"].FailureReason));
        Assert.Equal((ImageStatus.Failed, FailureReasons.UnsupportedTask), (rows["florence-question"].Status, rows["florence-question"].FailureReason));
        var described = rows.Values.Where(r => r.Id is not ("florence-broken" or "florence-question")).ToList();
        Assert.Equal(12, described.Count);
        foreach (var row in described)
        {
            Assert.Equal(ImageStatus.Described, row.Status);
            Assert.False(string.IsNullOrWhiteSpace(row.AltText), $"{row.Id} has no alt-text");
            Assert.False(string.IsNullOrWhiteSpace(row.LongDescription), $"{row.Id} has no long description");
            Assert.True(row.StandInModels, $"{row.Id} is not marked stand-in");
            Assert.Equal(FlorenceStandInOptions.DefaultModelId, row.CaptionModelId);
        }

        var events = run.Results.Described.ToDictionary(d => d.ImageId);
        var withObjects = described.Where(r => events[r.Id].Objects is { Count: > 0 }).ToList();
        Assert.True(withObjects.Count >= 6, $"only {withObjects.Count} of 12 pictures have objects");
        foreach (var row in withObjects)
        {
            var (width, height) = (events[row.Id].Width, events[row.Id].Height);
            Assert.Equal(events[row.Id].LongDescription, row.LongDescription);
            Assert.All(events[row.Id].Objects!, o => Assert.True(
                o.Box.Count == 4 && o.Box[0] >= 0 && o.Box[2] <= width && o.Box[1] >= 0 && o.Box[3] <= height,
                $"{row.Id}: box [{string.Join(", ", o.Box)}] is not inside {width}×{height}"));
        }

        // The asked tasks: regions are objects with boxes, text regions are lines with quadrilaterals, OCR is text.
        var regions = events["florence-03"];
        Assert.Equal(CaptionTaskKinds.Regions, regions.Task);
        Assert.True(regions.Objects is { Count: > 0 } && !string.IsNullOrWhiteSpace(regions.Answer), "regions: no boxes or no answer");
        var textRegions = rows["florence-05"];
        Assert.False(string.IsNullOrWhiteSpace(textRegions.Answer), "text-regions: no answer");
        Assert.Equal(textRegions.Answer, textRegions.OcrText);
        using (var lines = JsonDocument.Parse(textRegions.OcrLines!))
        {
            Assert.Equal(textRegions.OcrText, string.Join('\n', lines.RootElement.EnumerateArray().Select(l => l.GetProperty("text").GetString())));
            Assert.All(lines.RootElement.EnumerateArray(), line => Assert.Equal(
                [2, 2, 2, 2], line.GetProperty("box").EnumerateArray().Select(corner => corner.GetArrayLength())));
        }
        Assert.False(string.IsNullOrWhiteSpace(rows["florence-07"].Answer), "ocr: no answer");
        Assert.All(described.Where(r => r.Id is not ("florence-03" or "florence-05" or "florence-07")), r => Assert.Null(r.Answer));

        // An object's label is searchable: the picture it was found in comes back for it.
        var found = withObjects[0];
        var label = events[found.Id].Objects!.Select(o => o.Label).First(l => l.Any(char.IsLetter));
        Assert.Contains(found.Id, await StoredRows.MatchingWordsAsync(run.Database, label, cancellationToken));
    }

    public void Dispose() => _folder.Dispose();

    private static ImageUploaded Picture(int i)
    {
        var hue = i * 360f / 12;
        var bytes = TestImages.Encode(
            200 + (53 * i), 150 + (37 * (i % 5)), SKColor.FromHsv(hue, 80, 90), SKColor.FromHsv(360 - hue, 60, 40),
            i % 2 == 0 ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);
        return new ImageUploaded($"florence-{i:D2}", "florence-owner", ImageSource.Inline(bytes));
    }

    private sealed record Row(
        string Id, string Status, string? FailureReason, string? AltText, string? LongDescription, string? CaptionModelId, bool StandInModels,
        string? Answer, string? OcrText, string? OcrLines);

    private static async Task<Dictionary<string, Row>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id, status, failure_reason, alt_text, long_description, caption_model_id, stand_in_models, answer, ocr_text, ocr_lines::text FROM images",
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<string, Row>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = new Row(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetBoolean(6),
                Text(reader, 7), Text(reader, 8), Text(reader, 9));
        }

        return rows;
    }

    private static string? Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
}
