using SkiaSharp;

namespace Pipeline.Tests.Unit.Ocr;

/// <summary>
/// A picture reads the same in a micro-batch as alone: detection pads it beside larger pictures, recognition groups
/// its lines with other pictures' lines, and neither may change a character, a confidence or a box.
/// </summary>
[Collection(PaddleOcrFixture.Collection)]
public sealed class BatchedReadingTests(PaddleOcrFixture ocr)
{
    private static readonly string[] Photos = ["page.png", "bw_text.png", "chelsea.png"];

    [Fact]
    public async Task BatchedReadingEqualsReadingOneAtATime()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var generated = GeneratedText.Create(3, seed: 7);
        var photos = Photos.Select(n => SKBitmap.Decode(PaddleOcrFixture.Sample(n))).ToList();
        try
        {
            List<SKBitmap> images = [photos[0], generated[0].Image, photos[1], generated[1].Image, photos[2], generated[2].Image];

            var batched = await ocr.Reader.ReadAsync(images, cancellationToken);
            var alone = new List<Pipeline.Inference.Ocr.OcrResult>();
            foreach (var image in images)
            {
                alone.Add((await ocr.Reader.ReadAsync([image], cancellationToken))[0]);
            }

            Assert.Equal(images.Count, batched.Count);
            Assert.True(alone.Count(r => r.Lines.Count > 0) >= 5, "the pictures should show text, or the comparison proves little");
            for (var i = 0; i < images.Count; i++)
            {
                Assert.Equal(alone[i].Lines.Select(l => l.Text), batched[i].Lines.Select(l => l.Text));
                foreach (var (one, other) in alone[i].Lines.Zip(batched[i].Lines))
                {
                    Assert.Equal(one.Confidence, other.Confidence, 3);
                    Assert.Equal(one.Box, other.Box, (a, b) => Math.Abs(a.X - b.X) < 0.5 && Math.Abs(a.Y - b.Y) < 0.5);
                }
            }
        }
        finally
        {
            photos.ForEach(p => p.Dispose());
            foreach (var sample in generated)
            {
                sample.Dispose();
            }
        }
    }
}
