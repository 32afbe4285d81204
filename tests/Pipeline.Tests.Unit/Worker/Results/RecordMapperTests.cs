using System.Text.RegularExpressions;
using Pipeline.Contracts;
using Pipeline.Inference.Captioning;
using Pipeline.Inference.Captioning.Chat;
using Pipeline.Inference.Contract;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Florence;
using Pipeline.Inference.Ocr;
using Pipeline.Storage.Entities;
using Pipeline.Worker.Results;

namespace Pipeline.Tests.Unit.Worker.Results;

/// <summary>
/// The worker's core without a broker or a database: what an image's outcome becomes as a row
/// (<see cref="RecordMapper"/>) and as its result event (<see cref="ResultPublisher"/>).
/// </summary>
public sealed class RecordMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly ModelIdentity Clip = new("clip-test", IsStandIn: true, "/models/clip");
    private static readonly ModelIdentity Captioner = new("captioner-test", IsStandIn: false, "/models/captioner");
    private static readonly ModelIdentity Ocr = new("ocr-test", IsStandIn: false, "/models/ocr");
    private static readonly ModelIdentity Chat = new("openai:gpt-test", IsStandIn: false, "http://127.0.0.1:9/v1");

    [Fact]
    public void ADescribedImageKeepsItsVectorCaptionAndTextAndItsEventCarriesThem()
    {
        var outcome = Outcome("described-1",
            [
                Ran(Clip, ModelRole.ImageEmbedder, new ImageEmbedding([0.6f, 0.8f]), 12.5),
                Ran(Captioner, ModelRole.Captioner, new CaptionResult("a hedgehog on the grass", [1, 2]), 40),
                Ran(Ocr, ModelRole.TextReader, new OcrResult([Line("고슴도치 사진"), Line("Hedgehog photo 2024")], UnreadRegions: 2), 30),
            ]) with { Size = new ImageSize(4032, 3024, 1024, 768), Source = new FetchedSource("ab12", "etag-1") };

        var record = Mapper().ToRecord(outcome);

        Assert.Equal(ImageStatus.Described, record.Status);
        Assert.Equal((4032, 3024, 1024, 768), (record.Width, record.Height, record.ProcessedWidth, record.ProcessedHeight));
        Assert.Equal(("ab12", "etag-1"), (record.ContentSha256, record.SourceVersion));
        Assert.Equal([0.6f, 0.8f], Assert.Single(record.Embeddings).Embedding.ToArray());
        Assert.Equal(("clip-test", "captioner-test", "ocr-test"), (record.EmbeddingModelId, record.CaptionModelId, record.OcrModelId));
        Assert.True(record.StandInModels);
        Assert.Equal("a hedgehog on the grass", record.Caption);
        Assert.Equal("고슴도치 사진\nHedgehog photo 2024", record.OcrText);
        Assert.Contains("\"text\":\"고슴도치 사진\"", Regex.Unescape(record.OcrLines!), StringComparison.Ordinal);
        Assert.Equal("A hedgehog on the grass. Text: \"고슴도치 사진\", \"Hedgehog photo 2024\".", record.AltText);
        Assert.Equal(new Dictionary<string, double> { ["fetch"] = 3, ["embed"] = 12.5, ["caption"] = 40, ["ocr"] = 30 }, record.TimingsMs);
        Assert.Equal(Now, record.CreatedAt);

        var described = ResultPublisher.ToDescribed(record);
        Assert.Equal(("described-1", "owner-1", "고슴도치 사진\nHedgehog photo 2024"), (described.ImageId, described.OwnerId, described.OcrText));
        Assert.Equal((record.AltText, "clip-test", true), (described.AltText, described.EmbeddingModelId, described.StandInModels));
        Assert.Equal((2, 2), (record.OcrUnreadRegions, described.OcrUnreadRegions));
    }

    [Fact]
    public void ARejectedImageIsAFailedRowWithItsReasonAndNothingAModelLeftForIt()
    {
        var outcome = Outcome("rejected-1",
            [
                Ran(Clip, ModelRole.ImageEmbedder, new ImageEmbedding([1f, 0f])),
                Ran(Captioner, ModelRole.Captioner, new CaptionResult("should not be kept", [])),
                Ran(Ocr, ModelRole.TextReader, new OcrResult([Line("nor this")])),
            ]) with { Rejection = new ImageRejectedException(FailureReasons.TruncatedImage, "The JPEG file is truncated.") };

        var record = Mapper().ToRecord(outcome);

        Assert.Equal(ImageStatus.Failed, record.Status);
        Assert.Equal((FailureReasons.TruncatedImage, "The JPEG file is truncated."), (record.FailureReason, record.FailureMessage));
        Assert.Empty(record.Embeddings);
        Assert.Equal((null, null, null, null), (record.Caption, record.OcrText, record.AltText, record.EmbeddingModelId));

        var failed = ResultPublisher.ToFailed(record);
        Assert.Equal(("rejected-1", FailureReasons.TruncatedImage, "The JPEG file is truncated."), (failed.ImageId, failed.Reason, failed.Message));
    }

    [Fact]
    public void AnImageAModelRejectsFailsAloneWithThatModelsReason()
    {
        var outcome = Outcome("filtered-1",
            [
                Ran(Clip, ModelRole.ImageEmbedder, new ImageEmbedding([1f, 0f])),
                Ran(Chat, ModelRole.Captioner, ChatOutcome.Rejected(FailureReasons.ContentFiltered, "The provider's content filter blocked this image.")),
            ]);

        var record = Mapper().ToRecord(outcome);

        Assert.Equal((ImageStatus.Failed, FailureReasons.ContentFiltered), (record.Status, record.FailureReason));
        Assert.Empty(record.Embeddings);
        Assert.Null(record.EmbeddingModelId);
    }

    [Fact]
    public void AProvidersAnswerAndTokensAreKeptBesideTheAltText()
    {
        var task = new CaptionTask(CaptionTaskKinds.Question, "What colour is the car?", null);
        var outcome = Outcome("asked-1",
            [
                Ran(Chat, ModelRole.Captioner, ChatOutcome.Described(new ChatDescription("A red car by a wall", "Red", new TokenUsage(812, 37)))),
            ]) with { Message = new ImageUploaded("asked-1", "owner-1", ImageSource.Inline([1, 2, 3]), Task: task) };

        var record = Mapper().ToRecord(outcome);

        Assert.Equal(("A red car by a wall", "Red", "openai:gpt-test"), (record.Caption, record.Answer, record.CaptionModelId));
        Assert.Equal((812, 37), (record.CaptionInputTokens, record.CaptionOutputTokens));
        Assert.Equal((CaptionTaskKinds.Question, false), (record.CaptionTask, record.StandInModels));
        Assert.Equal("A red car by a wall.", record.AltText);
    }

    [Fact]
    public void AFlorenceDescriptionFillsTheAltTextTheLongDescriptionAndTheObjectsOfRowAndEvent()
    {
        var florence = new ModelIdentity("florence-test", IsStandIn: true, "/models/florence");
        var objects = new List<LabelledBox> { new("car", 34.24f, 160.08f, 597.44f, 371.76f), new("wheel", 50.5f, 300.25f, 120.126f, 371.76f) };
        var outcome = Outcome("florence-1",
            [
                Ran(florence, ModelRole.Captioner, new FlorenceDescription("A green car parked in front of a yellow building",
                    "The image shows a green car parked on a cobblestone street. Behind it is a yellow building with two wooden doors.", objects)),
            ]);

        var record = Mapper().ToRecord(outcome);

        Assert.Equal(("A green car parked in front of a yellow building.", "florence-test", true), (record.AltText, record.CaptionModelId, record.StandInModels));
        Assert.StartsWith("The image shows a green car", record.LongDescription, StringComparison.Ordinal);
        Assert.Equal(
            """[{"label":"car","box":[34.24,160.08,597.44,371.76]},{"label":"wheel","box":[50.5,300.25,120.13,371.76]}]""",
            record.Objects);

        var described = ResultPublisher.ToDescribed(record);
        Assert.Equal(record.LongDescription, described.LongDescription);
        Assert.Equal(["car", "wheel"], described.Objects!.Select(o => o.Label));
        Assert.Equal([34.24f, 160.08f, 597.44f, 371.76f], described.Objects![0].Box);
    }

    [Fact]
    public void WithoutATextReaderNoTextIsStoredAndTheAltTextIsTheCaptionAlone()
    {
        var outcome = Outcome("no-ocr", [Ran(Captioner, ModelRole.Captioner, new CaptionResult("a street sign", []))]);

        var record = Mapper().ToRecord(outcome);

        Assert.Equal((null, null, null), (record.OcrText, record.OcrLines, record.OcrModelId));
        Assert.Equal("A street sign.", record.AltText);
        Assert.False(record.StandInModels);
    }

    [Fact]
    public void CredentialsInASourceUrlAreNotStored()
    {
        var message = new ImageUploaded("url-1", "owner-1", new ImageSource(ImageSourceTypes.Url, new Uri("https://user:secret@images.example/cat.png")));
        var outcome = Outcome("url-1", []) with
        {
            Message = message,
            Rejection = new ImageRejectedException(FailureReasons.UrlNotAllowed, "credentials in the URL"),
        };

        var record = Mapper().ToRecord(outcome);

        Assert.Equal("https://images.example/cat.png", record.SourceUri);
    }

    private static ImageOutcome Outcome(string id, IReadOnlyList<ModelOutcome> models) => new(
        new ImageUploaded(id, "owner-1", ImageSource.Inline([1, 2, 3])),
        Source: null,
        Size: null,
        new Dictionary<string, double> { ["fetch"] = 3 },
        Rejection: null,
        models);

    private static ModelOutcome Ran(ModelIdentity model, ModelRole role, ModelResult result, double elapsedMs = 1) => new(model, role, result, elapsedMs);

    private static TextLine Line(string text) => new(text, 0.98765f, [new(1, 2), new(30, 2), new(30, 12), new(1, 12)]);

    private static RecordMapper Mapper() => new(new FixedTime(Now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
