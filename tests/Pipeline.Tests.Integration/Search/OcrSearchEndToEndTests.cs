using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Contracts;
using Pipeline.Search;
using Pipeline.Tests.Integration.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// Hybrid search over what the worker itself stored: a sign read by the real PP-OCRv4 stage is found first by the words
/// on it, among pictures the (random-weight) stand-in CLIP embedded just as arbitrarily.
/// </summary>
public sealed class OcrSearchEndToEndTests(PipelineServices services)
{
    [Fact]
    public async Task ASignTheWorkerReadIsFoundFirstByItsWords()
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
            var owner = "ocr-" + Guid.NewGuid().ToString("N")[..8];
            var messages = new List<ImageUploaded>();
            var sign = container.GetBlobClient("sign.png");
            await sign.UploadAsync(new BinaryData(Sign("SPRINGFIELD", "LIBRARY")), cancellationToken);
            messages.Add(new ImageUploaded($"{owner}/sign", owner, ImageSource.Blob(sign.Uri)));
            for (var i = 0; i < 4; i++)
            {
                var plain = container.GetBlobClient($"plain-{i}.png");
                await plain.UploadAsync(new BinaryData(TestImages.Encode(320 + (40 * i), 240, SKColor.FromHsv(i * 80, 70, 80), SKColors.ForestGreen, SKEncodedImageFormat.Png)), cancellationToken);
                messages.Add(new ImageUploaded($"{owner}/plain-{i}", owner, ImageSource.Blob(plain.Uri)));
            }

            await run.Results.SendAsync(run.Worker.QueueName, messages, cancellationToken);
            await run.Results.WaitForAsync([.. messages.Select(m => m.ImageId)], 1, TimeSpan.FromSeconds(120), cancellationToken);

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = run.Database,
                ["Models:ImageEmbedder:Path"] = services.StandInClipFolder,
                ["Inference:ExecutionProvider"] = "Cpu",
            }).Build();
            await using var provider = new ServiceCollection().AddLogging().AddImageSearch(configuration).BuildServiceProvider();
            var page = await provider.GetRequiredService<IImageSearch>().SearchAsync(new SearchQuery(owner, "springfield library"), cancellationToken);

            Assert.Equal(5, page.Hits.Count);
            var first = page.Hits[0];
            Assert.Equal(($"{owner}/sign", "SPRINGFIELD\nLIBRARY"), (first.ImageId, first.OcrText));
            Assert.NotNull(first.TextRank);
            Assert.NotNull(first.Similarity);
            Assert.True(first.StandInModels);
            Assert.All(page.Hits.Skip(1), hit => Assert.Null(hit.TextRank));
        }
        finally
        {
            await container.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }
    }

    /// <summary>White capitals on a blue sign, one line per entry, in DejaVu Sans Bold.</summary>
    private static byte[] Sign(params string[] lines)
    {
        using var bitmap = new SKBitmap(720, 320);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(20, 60, 150));
            using var typeface = SKTypeface.FromFile("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf");
            using var font = new SKFont(typeface, 64);
            using var paint = new SKPaint { Color = SKColors.White, IsAntialias = true };
            for (var i = 0; i < lines.Length; i++)
            {
                canvas.DrawText(lines[i], 360, 130 + (i * 100), SKTextAlign.Center, font, paint);
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
