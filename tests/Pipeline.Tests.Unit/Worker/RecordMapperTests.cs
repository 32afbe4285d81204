using Pipeline.Contracts;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Ocr;
using Pipeline.Imaging.Tensors;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Batches;
using Pipeline.Worker.Stages.Captioning;
using Pipeline.Worker.Stages.Embedding;
using Pipeline.Worker.Stages.Persisting;
using Pipeline.Worker.Stages.Publishing;
using Pipeline.Worker.Stages.Reading;
using SkiaSharp;

namespace Pipeline.Tests.Unit.Worker;

/// <summary>
/// The worker's core without a broker or a database: what a finished image becomes as a row (<see cref="RecordMapper"/>)
/// and as its result event (<see cref="ResultPublisher"/>), with model stand-ins that only have identities.
/// </summary>
public sealed class RecordMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ADescribedImageKeepsItsVectorCaptionAndTextAndItsEventCarriesThem()
    {
        using var work = Work("described-1");
        work.Size = (4032, 3024, 1024, 768);
        work.ContentSha256 = "ab12";
        work.Embedding = [0.6f, 0.8f];
        work.Caption = new CaptionResult("a hedgehog on the grass", [1, 2]);
        work.Ocr = new OcrResult([Line("고슴도치 사진"), Line("Hedgehog photo 2024")]);

        var record = Mapper(standInEmbedder: true).ToRecord(work);

        Assert.Equal(ImageStatus.Described, record.Status);
        Assert.Equal((4032, 3024, 1024, 768), (record.Width, record.Height, record.ProcessedWidth, record.ProcessedHeight));
        Assert.Equal([0.6f, 0.8f], Assert.Single(record.Embeddings).Embedding.ToArray());
        Assert.Equal(("clip-test", "captioner-test", "ocr-test"), (record.EmbeddingModelId, record.CaptionModelId, record.OcrModelId));
        Assert.True(record.StandInModels);
        Assert.Equal("a hedgehog on the grass", record.Caption);
        Assert.Equal("고슴도치 사진\nHedgehog photo 2024", record.OcrText);
        Assert.Contains("\"text\":\"고슴도치 사진\"", System.Text.RegularExpressions.Regex.Unescape(record.OcrLines!), StringComparison.Ordinal);
        Assert.Equal("A hedgehog on the grass. Text: \"고슴도치 사진\", \"Hedgehog photo 2024\".", record.AltText);
        Assert.Equal(Now, record.CreatedAt);

        var described = ResultPublisher.ToDescribed(record);
        Assert.Equal(("described-1", "owner-1", "고슴도치 사진\nHedgehog photo 2024"), (described.ImageId, described.OwnerId, described.OcrText));
        Assert.Equal((record.AltText, "clip-test", true), (described.AltText, described.EmbeddingModelId, described.StandInModels));
    }

    [Fact]
    public void ARejectedImageIsAFailedRowWithItsReasonAndNothingTheStagesLeftOnIt()
    {
        using var work = Work("rejected-1");
        work.Embedding = [1f, 0f];
        work.Caption = new CaptionResult("should not be kept", []);
        work.Ocr = new OcrResult([Line("nor this")]);
        work.Reject(new ImageRejectedException(FailureReasons.TruncatedImage, "The JPEG file is truncated."));

        var record = Mapper().ToRecord(work);

        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.Equal((FailureReasons.TruncatedImage, "The JPEG file is truncated."), (record.FailureReason, record.FailureMessage));
        Assert.Empty(record.Embeddings);
        Assert.Equal((null, null, null, null), (record.Caption, record.OcrText, record.AltText, record.EmbeddingModelId));

        var failed = ResultPublisher.ToFailed(record);
        Assert.Equal(("rejected-1", FailureReasons.TruncatedImage, "The JPEG file is truncated."), (failed.ImageId, failed.Reason, failed.Message));
    }

    [Fact]
    public void WithoutATextReaderNoTextIsStoredAndTheAltTextIsTheCaptionAlone()
    {
        using var work = Work("no-ocr");
        work.Caption = new CaptionResult("a street sign", []);
        work.Ocr = new OcrResult([Line("STOP")]);

        var record = Mapper(withTextReader: false).ToRecord(work);

        Assert.Equal((null, null), (record.OcrText, record.OcrModelId));
        Assert.Equal("A street sign.", record.AltText);
    }

    [Fact]
    public void CredentialsInASourceUrlAreNotStored()
    {
        using var work = new ImageWork(new ImageUploaded("url-1", "owner-1", new ImageSource(ImageSourceTypes.Url, new Uri("https://user:secret@images.example/cat.png"))));
        work.Reject(new ImageRejectedException(FailureReasons.UrlNotAllowed, "credentials in the URL"));

        var record = Mapper().ToRecord(work);

        Assert.Equal("https://images.example/cat.png", record.SourceUri);
    }

    private static ImageWork Work(string id) => new(new ImageUploaded(id, "owner-1", ImageSource.Inline([1, 2, 3])));

    private static OcrLine Line(string text) => new(text, 0.98765f, [new(1, 2), new(30, 2), new(30, 12), new(1, 12)]);

    private static RecordMapper Mapper(bool standInEmbedder = false, bool withTextReader = true) => new(
        new OptionalEmbedder(new NamedEmbedder("clip-test", standInEmbedder)),
        new OptionalCaptioner(new NamedCaptioner("captioner-test")),
        new OptionalChatCaptioner(null),
        new OptionalTextReader(withTextReader ? new NamedTextReader("ocr-test") : null),
        new FixedTime(Now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Only the identities the mapper stores; a model run would be a mistake here.</summary>
    private sealed record NamedEmbedder(string ModelId, bool IsStandIn) : IImageEmbedder
    {
        public int Dimensions => 2;

        public PreprocessorConfig Preprocessing => throw new NotSupportedException();

        public Task<float[][]> EmbedAsync(Memory<float> pixels, int count, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed record NamedCaptioner(string ModelId) : IImageCaptioner
    {
        public bool IsStandIn => false;

        public PreprocessorConfig Preprocessing => throw new NotSupportedException();

        public Task<IReadOnlyList<CaptionResult>> CaptionAsync(Memory<float> pixels, int count, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed record NamedTextReader(string ModelId) : ITextReader
    {
        public Task<IReadOnlyList<OcrResult>> ReadAsync(IReadOnlyList<SKBitmap> images, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
