using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Tokenizers;
using Pipeline.StandInModels;

namespace Pipeline.Conformance;

/// <summary>
/// The CLIP text tower of a stand-in in the Xenova layout through transformers.js (AutoTokenizer +
/// CLIPTextModelWithProjection) and through ours (ClipTokenizer + ClipTextEmbedder): same ids, same vectors.
/// </summary>
public sealed class ClipTextConformanceTests : IDisposable
{
    // transformers.js truncates after adding BOS/EOS (dropping the EOS of texts over 75 tokens); Python HF and we keep
    // it. Texts here stay under 75 tokens, where both agree.
    private static readonly string[] Texts =
    [
        "a photo of a cat",
        "How are you doing?",
        "A man riding a wave on top of a surfboard.",
        "don't stop 123 4567",
        "  Messy   WHITESPACE\tand Capitals ",
        "café naïve 日本語 🐈",
        "고슴도치 사진을 찾아 줘",
    ];

    private readonly TempFolder _folder = new();

    public ClipTextConformanceTests()
    {
        ClipStandIn.Write(_folder.Path, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova });
    }

    [Fact]
    public async Task TokenIdsAndTextEmbeddingsEqualTransformersJs()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var reference = await TransformersJs.Default.ClipTextAsync(new ClipTextRequest { Model = _folder.Path, Texts = Texts }, cancellationToken);
        var tokenizer = ClipTokenizer.FromFolder(_folder.Path);
        using var embedder = new ClipTextEmbedder(new Pipeline.Inference.Embeddings.ImageEmbedderOptions { Path = _folder.Path }, ClipConformanceFixture.CpuSessions());

        var ours = await embedder.EmbedAsync(Texts, cancellationToken);

        var worst = 0.0;
        for (var i = 0; i < Texts.Length; i++)
        {
            var theirIds = reference.InputIds[i].Where((_, k) => reference.AttentionMask[i][k] == 1).ToArray();
            Assert.Equal(theirIds, tokenizer.Encode(Texts[i]));
            var distance = ClipImageConformanceTests.CosineDistance(ours[i], reference.Embeddings[i]);
            ClipImageConformanceTests.Report($"text '{Texts[i]}': {theirIds.Length} ids, cosine distance {distance:E2}");
            Assert.True(distance <= 1e-4, $"'{Texts[i]}': cosine distance {distance}");
            worst = Math.Max(worst, distance);
        }

        ClipImageConformanceTests.Report($"texts: largest cosine distance {worst:E2}");
        Assert.True(ClipImageConformanceTests.CosineDistance(ours[0], ours[1]) > 1e-2, "different texts must embed apart");
    }

    public void Dispose() => _folder.Dispose();
}
