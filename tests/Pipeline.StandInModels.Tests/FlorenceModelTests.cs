using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.StandInModels.Florence;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;

namespace Pipeline.StandInModels.Tests;

public sealed class FlorenceModelTests(FlorenceFixture fixture) : IClassFixture<FlorenceFixture>
{
    private const int Hidden = 64;
    private const int Heads = 4;
    private const int HeadDim = 16;
    private const int Vocab = 51289;
    private const long Eos = 2;

    private static readonly HashSet<long> WordIds =
        [.. FlorenceTokens.WordIds(Path.Combine(VocabFiles.Folder("bart"), "vocab.json")).Select(id => (long)id)];

    public static TheoryData<bool> Variants => [false, true];

    [Theory]
    [MemberData(nameof(Variants))]
    public void VisionEncoderTakesPixelValuesAndGives577Features(bool quantized)
    {
        var session = fixture.Session(FlorenceStandIn.VisionEncoderPath, quantized);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("pixel_values", input.Key);
        AssertTensor(input.Value, TensorElementType.Float, [-1, 3, 768, 768], ["batch_size", "", "", ""]);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("image_features", output.Key);
        AssertTensor(output.Value, TensorElementType.Float, [-1, 577, Hidden], ["batch_size", "", ""]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EmbedTokensMapsIdsToEmbeddings(bool quantized)
    {
        var session = fixture.Session(FlorenceStandIn.EmbedTokensPath, quantized);

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("input_ids", input.Key);
        AssertTensor(input.Value, TensorElementType.Int64, [-1, -1], ["batch_size", "sequence_length"]);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("inputs_embeds", output.Key);
        AssertTensor(output.Value, TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "sequence_length", ""]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncoderTakesEmbeddingsAndAMask(bool quantized)
    {
        var session = fixture.Session(FlorenceStandIn.EncoderPath, quantized);

        Assert.Equal(["attention_mask", "inputs_embeds"], session.InputMetadata.Keys.Order(StringComparer.Ordinal));
        AssertTensor(session.InputMetadata["inputs_embeds"], TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "encoder_sequence_length", ""]);
        AssertTensor(session.InputMetadata["attention_mask"], TensorElementType.Int64, [-1, -1], ["batch_size", "encoder_sequence_length"]);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("last_hidden_state", output.Key);
        AssertTensor(output.Value, TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "encoder_sequence_length", ""]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void DecoderHasTheInputsAndOutputsOfTheMergedSeq2SeqExport(bool quantized)
    {
        var session = fixture.Session(FlorenceStandIn.DecoderPath, quantized);
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        var layers = Enumerable.Range(0, 2).ToList();

        Assert.Equal(
            ["encoder_attention_mask", "encoder_hidden_states", "inputs_embeds",
             .. layers.SelectMany(i => new[] { $"past_key_values.{i}.decoder.key", $"past_key_values.{i}.decoder.value",
                 $"past_key_values.{i}.encoder.key", $"past_key_values.{i}.encoder.value" }),
             "use_cache_branch"],
            inputs.Keys.Order(StringComparer.Ordinal));
        AssertTensor(inputs["inputs_embeds"], TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "decoder_sequence_length", ""]);
        AssertTensor(inputs["encoder_hidden_states"], TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "encoder_sequence_length", ""]);
        AssertTensor(inputs["encoder_attention_mask"], TensorElementType.Int64, [-1, -1], ["batch_size", "encoder_sequence_length"]);
        AssertTensor(inputs["use_cache_branch"], TensorElementType.Bool, [1], [""]);
        foreach (var i in layers)
        {
            AssertTensor(inputs[$"past_key_values.{i}.decoder.key"], TensorElementType.Float, [-1, Heads, -1, HeadDim], ["batch_size", "", "past_decoder_sequence_length", ""]);
            AssertTensor(inputs[$"past_key_values.{i}.encoder.value"], TensorElementType.Float, [-1, Heads, -1, HeadDim], ["batch_size", "", "encoder_sequence_length_out", ""]);
        }

        Assert.Equal(
            ["logits", .. layers.SelectMany(i => new[] { $"present.{i}.decoder.key", $"present.{i}.decoder.value",
                $"present.{i}.encoder.key", $"present.{i}.encoder.value" })],
            outputs.Keys.Order(StringComparer.Ordinal));
        AssertTensor(outputs["logits"], TensorElementType.Float, [-1, -1, Vocab], ["batch_size", "decoder_sequence_length", ""]);
        AssertTensor(outputs["present.1.decoder.value"], TensorElementType.Float, [-1, Heads, -1, HeadDim], ["batch_size", "", "past_decoder_sequence_length + 1", ""]);
        AssertTensor(outputs["present.1.encoder.key"], TensorElementType.Float, [-1, Heads, -1, HeadDim], ["batch_size", "", "encoder_sequence_length_out", ""]);
    }

    [Fact]
    public void MergedDecoderIsOneOptimumIfWhoseElseBranchNeverReadsThePast()
    {
        var model = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.DecoderPath));

        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("If", node.OpType);
        Assert.Equal("optimum::if", node.Name);
        Assert.Equal(["use_cache_branch"], node.Input);
        var thenBranch = node.Attribute.Single(a => a.Name == "then_branch").G;
        var elseBranch = node.Attribute.Single(a => a.Name == "else_branch").G;
        Assert.Equal("with_past", thenBranch.Name);
        Assert.Equal("no_past", elseBranch.Name);
        Assert.Contains(ValuesRead(thenBranch), v => v.StartsWith("past_key_values.", StringComparison.Ordinal));
        Assert.DoesNotContain(ValuesRead(elseBranch), v => v.StartsWith("past_key_values.", StringComparison.Ordinal));
        Assert.DoesNotContain("encoder_hidden_states", ValuesRead(thenBranch));
        // One copy of the weights, the tied table included, read by both branches.
        Assert.Contains(model.Graph.Initializer, t => t.Name == TokenTable.Name);
        Assert.DoesNotContain(thenBranch.Initializer, t => t.Dims.Count > 1);
    }

    [Fact]
    public void EmbeddingTableIsSharedByEmbedTokensAndTheLmHead()
    {
        var embed = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.EmbedTokensPath));
        var decoder = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.DecoderPath));

        var a = embed.Graph.Initializer.Single(t => t.Name == TokenTable.Name);
        var b = decoder.Graph.Initializer.Single(t => t.Name == TokenTable.Name);
        Assert.Equal([(long)Vocab, Hidden], a.Dims);
        Assert.True(a.RawData.Span.SequenceEqual(b.RawData.Span));
    }

    /// <summary>Step by step with the cache (step 0 without past) gives the logits of the whole sequence at once.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void StepByStepWithCacheMatchesTheWholeSequenceAtOnce(int firstPastLength)
    {
        var runner = fixture.Runner();
        var (states, shape) = runner.Encode(runner.Vision(FlorenceRunner.Noise(1)), FlorenceRunner.ObjectsPrompt);
        var mask = Ones(shape[1]);
        var sequence = runner.Greedy(states, shape, mask, maxTokens: 12, firstPastLength);

        var whole = runner.Decode([.. sequence[..^1]], states, shape, mask, runner.DummyPast(1, 1), useCache: false);
        var past = runner.DummyPast(firstPastLength, firstPastLength);
        for (var step = 0; step < sequence.Count - 1; step++)
        {
            var output = runner.Decode([sequence[step]], states, shape, mask, past, useCache: step > 0);
            var difference = Vectors.MaxAbsDiff(output.Last(0), whole.At(0, step));
            Assert.True(difference <= 1e-3, $"step {step}: max |Δlogit| {difference}");
            past = FlorenceRunner.AsPast(output);
        }

        Assert.All(whole.Presents.Where(p => p.Key.Contains(".encoder.", StringComparison.Ordinal)),
            p => Assert.Equal([1L, Heads, shape[1], HeadDim], p.Value.Shape));
    }

    [Fact]
    public void WithPastBranchReusesTheEncoderCacheInsteadOfTheEncoderStates()
    {
        var runner = fixture.Runner();
        var (states, shape) = runner.Encode(runner.Vision(FlorenceRunner.Noise(2)), FlorenceRunner.ObjectsPrompt);
        var mask = Ones(shape[1]);
        var first = runner.Decode([FlorenceDimensions.DecoderStartId], states, shape, mask, runner.DummyPast(0, 0), useCache: false);
        var past = FlorenceRunner.AsPast(first);

        var cached = runner.Decode([0], states, shape, mask, past, useCache: true);
        var otherStates = runner.Decode([0], new float[states.Length], shape, mask, past, useCache: true);

        Assert.Equal(cached.Logits, otherStates.Logits);
        Assert.Equal(past["past_key_values.0.encoder.key"].Values, cached.Presents["present.0.encoder.key"].Values);
        Assert.Equal([1L, Heads, 2, HeadDim], cached.Presents["present.0.decoder.key"].Shape);
    }

    [Fact]
    public void MaskedEncoderTokensAreNeverAttendedTo()
    {
        var runner = fixture.Runner();
        var features = runner.Vision(FlorenceRunner.Noise(3));
        var embeds = features.Concat(runner.Embed(FlorenceRunner.ObjectsPrompt)).ToArray();
        var length = embeds.Length / Hidden;
        var mask = Ones(length);
        mask[^1] = 0;
        var changed = (float[])embeds.Clone();
        Array.Fill(changed, 5f, changed.Length - Hidden, Hidden);

        // Encoder: what the masked token holds changes no other token's output.
        var (states, shape) = runner.Encode(embeds, mask);
        var (other, _) = runner.Encode(changed, mask);
        var kept = (length - 1) * Hidden;
        Assert.True(Vectors.MaxAbsDiff(states.AsSpan(0, kept), other.AsSpan(0, kept)) <= 1e-5);

        // Decoder: a masked encoder state, however loud, changes nothing; unmasked, it does.
        var loud = (float[])states.Clone();
        for (var j = 0; j < Hidden; j++)
        {
            loud[kept + j] = 50f * (j % 2 == 0 ? 1 : -1);
        }

        long[] sequence = [FlorenceDimensions.DecoderStartId, 0, 17];
        var quiet = runner.Decode(sequence, states, shape, mask, runner.DummyPast(0, 0), useCache: false);
        var loudMasked = runner.Decode(sequence, loud, shape, mask, runner.DummyPast(0, 0), useCache: false);
        var loudUnmasked = runner.Decode(sequence, loud, shape, Ones(length), runner.DummyPast(0, 0), useCache: false);
        Assert.Equal(quiet.Logits, loudMasked.Logits);
        Assert.True(Vectors.MaxAbsDiff(quiet.Logits, loudUnmasked.Logits) > 1e-2, "the decoder ignored encoder_attention_mask");
    }

    /// <summary>
    /// Greedy answers follow the output schedule (labels, runs of eight &lt;loc_N&gt;, EOS after 31 tokens) and differ
    /// between images and between prompts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void GreedyAnswersFollowTheScheduleAndDependOnImageAndPrompt(bool quantized)
    {
        var runner = fixture.Runner(quantized);
        var eosAfter = FlorenceFixture.Options.EosAfterTokens!.Value;
        var answers = new List<List<long>>();
        foreach (var seed in new[] { 10, 11 })
        {
            var features = runner.Vision(FlorenceRunner.Noise(seed));
            foreach (var prompt in new[] { FlorenceRunner.ObjectsPrompt, FlorenceRunner.CaptionPrompt })
            {
                var (states, shape) = runner.Encode(features, prompt);
                answers.Add(runner.Greedy(states, shape, Ones(shape[1]), maxTokens: 60));
            }
        }

        foreach (var answer in answers)
        {
            Assert.Equal(eosAfter + 2, answer.Count);
            Assert.Equal([FlorenceDimensions.DecoderStartId, FlorenceDimensions.BeginningOfSequenceId], answer[..2]);
            Assert.Equal(Eos, answer[^1]);
            for (var index = 2; index < answer.Count; index++)
            {
                var expected = OutputSchedule.At(index, eosAfter);
                Assert.True(Kind(answer[index]) == expected, $"token {answer[index]} at {index} is not a {expected}: {string.Join(' ', answer)}");
            }

            var locations = answer.Where(t => Kind(t) == TokenKind.Location).ToList();
            Assert.True(locations.Distinct().Count() >= locations.Count / 3, $"too repetitive: {string.Join(' ', answer)}");
        }

        Assert.Equal(answers.Count, answers.Select(a => string.Join(' ', a)).Distinct().Count());
    }

    [Fact]
    public void QuantizedGraphsStoreIntegerWeights()
    {
        var vision = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.QuantizedPath(FlorenceStandIn.VisionEncoderPath)));
        var embed = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.QuantizedPath(FlorenceStandIn.EmbedTokensPath)));
        var decoder = OnnxFile.Read(Path.Combine(fixture.Folder, FlorenceStandIn.QuantizedPath(FlorenceStandIn.DecoderPath)));

        Assert.Contains(vision.Graph.Node, n => n.OpType == "ConvInteger");
        Assert.Contains(vision.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Uint8 && t.Dims.Count == 4);
        Assert.Contains(embed.Graph.Initializer, t => t.Name == TokenTable.Name + "_quantized" && t.DataType == (int)TensorProto.Types.DataType.Int8);
        Assert.DoesNotContain(decoder.Graph.Initializer, t => t.Name == TokenTable.Name);
        Assert.Contains(decoder.Graph.Node[0].Attribute.Single(a => a.Name == "then_branch").G.Node, n => n.OpType == "MatMulInteger");
    }

    [Fact]
    public void OnnxMetadataMarksTheStandIn()
    {
        foreach (var graph in FlorenceFixture.Graphs)
        {
            foreach (var quantized in new[] { false, true })
            {
                var metadata = fixture.Session(graph, quantized).ModelMetadata.CustomMetadataMap;
                Assert.Equal("true", metadata["stand_in"]);
                Assert.Equal("stand-in/Florence-2-base-ft", metadata["stand_in.model_id"]);
            }
        }
    }

    private static TokenKind? Kind(long id) =>
        FlorenceTokens.IsLocation((int)id) ? TokenKind.Location
        : id == Eos ? TokenKind.End
        : WordIds.Contains(id) ? TokenKind.Word
        : null;

    private static long[] Ones(long length) => Enumerable.Repeat(1L, (int)length).ToArray();

    private static void AssertTensor(NodeMetadata metadata, TensorElementType type, int[] dims, string[] symbolic)
    {
        Assert.Equal(type, metadata.ElementDataType);
        Assert.Equal(dims, metadata.Dimensions);
        Assert.Equal(symbolic, metadata.SymbolicDimensions);
    }

    /// <summary>Every value name a graph's nodes read, nested subgraphs included.</summary>
    private static HashSet<string> ValuesRead(GraphProto graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            names.UnionWith(node.Input);
            foreach (var attribute in node.Attribute.Where(a => a.G is not null))
            {
                names.UnionWith(ValuesRead(attribute.G));
            }
        }

        return names;
    }
}
