using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Pipeline.StandInModels.Captioner;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;

namespace Pipeline.StandInModels.Tests;

public sealed class CaptionerModelTests(CaptionerFixture fixture) : IClassFixture<CaptionerFixture>
{
    private const int Heads = 2;
    private const int HeadDim = 16;
    private const int Hidden = 32;
    private const int Vocab = 50257;
    private const long Eos = 50256;

    public static TheoryData<bool> Variants => [false, true];

    [Theory]
    [MemberData(nameof(Variants))]
    public void EncoderInputsAndOutputsAreThoseOfTheOptimumExport(bool quantized)
    {
        var session = quantized ? fixture.EncoderQuantized : fixture.Encoder;

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal("pixel_values", input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([-1, -1, -1, -1], input.Value.Dimensions);
        Assert.Equal(["batch_size", "num_channels", "height", "width"], input.Value.SymbolicDimensions);

        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("last_hidden_state", output.Key);
        Assert.Equal(TensorElementType.Float, output.Value.ElementDataType);
        Assert.Equal([-1, 197, Hidden], output.Value.Dimensions);
        Assert.Equal("batch_size", output.Value.SymbolicDimensions[0]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void DecoderInputsAndOutputsAreThoseOfTheMergedDecoder(bool quantized)
    {
        var session = quantized ? fixture.DecoderQuantized : fixture.Decoder;
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;

        Assert.Equal(
            ["encoder_hidden_states", "input_ids", "past_key_values.0.key", "past_key_values.0.value",
             "past_key_values.1.key", "past_key_values.1.value", "use_cache_branch"],
            inputs.Keys.Order(StringComparer.Ordinal));
        AssertTensor(inputs["input_ids"], TensorElementType.Int64, [-1, -1], ["batch_size", "decoder_sequence_length"]);
        AssertTensor(inputs["encoder_hidden_states"], TensorElementType.Float, [-1, -1, Hidden], ["batch_size", "encoder_sequence_length", ""]);
        AssertTensor(inputs["use_cache_branch"], TensorElementType.Bool, [1], [""]);
        foreach (var name in inputs.Keys.Where(k => k.StartsWith("past_key_values.", StringComparison.Ordinal)))
        {
            AssertTensor(inputs[name], TensorElementType.Float, [-1, Heads, -1, HeadDim], ["batch_size", "", "past_sequence_length", ""]);
        }

        Assert.Equal(
            ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"],
            outputs.Keys.Order(StringComparer.Ordinal));
        AssertTensor(outputs["logits"], TensorElementType.Float, [-1, -1, Vocab], ["batch_size", "decoder_sequence_length", ""]);
        foreach (var name in outputs.Keys.Where(k => k.StartsWith("present.", StringComparison.Ordinal)))
        {
            AssertTensor(outputs[name], TensorElementType.Float, [-1, Heads, -1, HeadDim],
                ["batch_size", "", "past_sequence_length + sequence_length", ""]);
        }
    }

    [Fact]
    public void MergedDecoderIsOneOptimumIfWhoseElseBranchNeverReadsThePast()
    {
        var model = OnnxFile.Read(Path.Combine(fixture.Folder, CaptionerStandIn.DecoderPath));

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
        // The weights live once in the main graph and both branches read them.
        Assert.Contains(model.Graph.Initializer, t => t.Name == "transformer.wte.weight");
        Assert.DoesNotContain(thenBranch.Initializer, t => t.Dims.Count > 1);
    }

    /// <summary>
    /// The KV cache works: decoding step by step (step 0 without past, later steps with the presents fed back) gives
    /// the logits of running the whole token sequence at once without past.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void StepByStepWithCacheMatchesTheWholeSequenceAtOnce(int firstPastLength)
    {
        var runner = fixture.Runner;
        var (states, shape) = runner.Encode(CaptionerImages.Batch(CaptionerImages.Noise(1), CaptionerImages.Noise(2)));
        const int steps = 6;

        var (tokens, stepLogits) = runner.Greedy(states, shape, steps, firstPastLength);

        // [start, t1 .. t5] for each row; position p predicts token p + 1.
        var ids = tokens.SelectMany(row => new[] { CaptionerRunner.Start }.Concat(row.Take(steps - 1))).ToArray();
        var whole = runner.Decode(ids, 2, states, shape, runner.DummyPast(2, 1), useCache: false);
        Assert.Equal([2L, steps, Vocab], whole.LogitsShape);
        Assert.All(whole.Presents.Values, p => Assert.Equal([2L, Heads, steps, HeadDim], p.Shape));
        for (var step = 0; step < steps; step++)
        {
            for (var row = 0; row < 2; row++)
            {
                var difference = Vectors.MaxAbsDiff(stepLogits[step][row], whole.At(row, step));
                Assert.True(difference <= 1e-4, $"step {step}, row {row}: max |Δlogit| {difference}");
            }
        }
    }

    [Fact]
    public void FirstStepIgnoresThePastWhateverItsLength()
    {
        var runner = fixture.Runner;
        var (states, shape) = runner.Encode(CaptionerImages.Noise(4));
        long[] start = [CaptionerRunner.Start];

        var zeroLength = runner.Decode(start, 1, states, shape, runner.DummyPast(1, 0), useCache: false);
        var garbage = runner.DummyPast(1, 3);
        foreach (var (values, _) in garbage.Values)
        {
            Array.Fill(values, 123f);
        }

        var withGarbage = runner.Decode(start, 1, states, shape, garbage, useCache: false);

        Assert.Equal(zeroLength.Logits, withGarbage.Logits);
        Assert.All(withGarbage.Presents.Values, p => Assert.Equal([1L, Heads, 1, HeadDim], p.Shape));
    }

    [Fact]
    public void CacheBranchReadsThePastAndAppendsToIt()
    {
        var runner = fixture.Runner;
        var (states, shape) = runner.Encode(CaptionerImages.Noise(5));
        var first = runner.Decode([CaptionerRunner.Start], 1, states, shape, runner.DummyPast(1, 1), useCache: false);
        var next = CaptionerRunner.ArgMax(first.Last(0));

        var cached = runner.Decode([next], 1, states, shape, CaptionerRunner.AsPast(first), useCache: true);
        var zeroed = CaptionerRunner.AsPast(first).ToDictionary(p => p.Key, p => (new float[p.Value.Values.Length], p.Value.Shape));
        var wrongPast = runner.Decode([next], 1, states, shape, zeroed, useCache: true);

        Assert.All(cached.Presents.Values, p => Assert.Equal([1L, Heads, 2, HeadDim], p.Shape));
        Assert.True(Vectors.MaxAbsDiff(cached.Last(0), wrongPast.Last(0)) > 1e-3, "the with-past branch ignored the past values");
        // The first cached position is the past, unchanged.
        var (key, _) = cached.Presents["present.0.key"];
        var (pastKey, _) = first.Presents["present.0.key"];
        Assert.Equal(pastKey[..HeadDim], key[..HeadDim]);
    }

    /// <summary>Several new tokens on top of a past: token i sees the past and the new tokens up to i.</summary>
    [Fact]
    public void SeveralTokensWithPastAreCausal()
    {
        var runner = fixture.Runner;
        var (states, shape) = runner.Encode(CaptionerImages.Noise(6));
        long[] sequence = [CaptionerRunner.Start, 11, 22, 33, 44];

        var whole = runner.Decode(sequence, 1, states, shape, runner.DummyPast(1, 1), useCache: false);
        var prefix = runner.Decode(sequence[..2], 1, states, shape, runner.DummyPast(1, 0), useCache: false);
        var rest = runner.Decode(sequence[2..], 1, states, shape, CaptionerRunner.AsPast(prefix), useCache: true);

        Assert.Equal([1L, 3, Vocab], rest.LogitsShape);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Vectors.MaxAbsDiff(rest.At(0, i), whole.At(0, i + 2)) <= 1e-4, $"position {i + 2}");
        }
    }

    [Fact]
    public void RowsDoNotDependOnBatchNeighbours()
    {
        var runner = fixture.Runner;
        var image = CaptionerImages.Noise(7);
        var (alone, aloneShape) = runner.Encode(image);
        var (batched, batchShape) = runner.Encode(CaptionerImages.Batch(CaptionerImages.Noise(8), image));

        var rowLength = alone.Length;
        Assert.Equal([2L, 197, Hidden], batchShape);
        Assert.True(Vectors.MaxAbsDiff(alone, batched.AsSpan(rowLength, rowLength)) <= 1e-4);

        var (aloneTokens, aloneLogits) = runner.Greedy(alone, aloneShape, steps: 5);
        var (batchTokens, batchLogits) = runner.Greedy(batched, batchShape, steps: 5);
        Assert.Equal(aloneTokens[0], batchTokens[1]);
        for (var step = 0; step < 5; step++)
        {
            Assert.True(Vectors.MaxAbsDiff(aloneLogits[step][0], batchLogits[step][1]) <= 1e-4, $"step {step}");
        }
    }

    [Fact]
    public void GreedyCaptionsAreVariedImageDependentAndEndWithEos()
    {
        var runner = fixture.Runner;
        var (states, shape) = runner.Encode(CaptionerImages.Batch(CaptionerImages.Noise(10), CaptionerImages.Noise(11), CaptionerImages.Noise(12)));
        var eosAfter = CaptionerFixture.Options.EosAfterTokens!.Value;

        var (tokens, _) = runner.Greedy(states, shape, steps: eosAfter + 1);

        foreach (var row in tokens)
        {
            var words = row[..eosAfter];
            Assert.DoesNotContain(Eos, words);
            Assert.True(words.Distinct().Count() >= eosAfter / 2, $"too repetitive: {string.Join(' ', row)}");
            Assert.Equal(Eos, row[eosAfter]);
        }

        Assert.Equal(3, tokens.Select(t => string.Join(' ', t)).Distinct().Count());
        Assert.Equal(3, tokens.Select(t => t[0]).Distinct().Count());
    }

    [Fact]
    public void QuantizedGraphsStoreIntegerWeightsAndStillCaption()
    {
        var encoder = OnnxFile.Read(Path.Combine(fixture.Folder, CaptionerStandIn.EncoderQuantizedPath));
        var decoder = OnnxFile.Read(Path.Combine(fixture.Folder, CaptionerStandIn.DecoderQuantizedPath));
        Assert.Contains(encoder.Graph.Initializer, t => t.Name == "encoder.layer.0.attention.attention.query.weight_quantized"
            && t.DataType == (int)TensorProto.Types.DataType.Uint8);
        Assert.Contains(encoder.Graph.Node, n => n.OpType == "ConvInteger");
        Assert.Contains(decoder.Graph.Initializer, t => t.Name == "transformer.wte.weight_quantized"
            && t.DataType == (int)TensorProto.Types.DataType.Int8);
        Assert.DoesNotContain(decoder.Graph.Initializer, t => t.Name == "transformer.wte.weight");
        Assert.Contains(decoder.Graph.Node[0].Attribute.Single(a => a.Name == "then_branch").G.Node, n => n.OpType == "MatMulInteger");

        var runner = fixture.QuantizedRunner;
        var (states, shape) = runner.Encode(CaptionerImages.Batch(CaptionerImages.Noise(10), CaptionerImages.Noise(11)));
        var (tokens, _) = runner.Greedy(states, shape, steps: 8);
        Assert.All(tokens, row => Assert.True(row.Distinct().Count() >= 4 && !row.Contains(Eos), string.Join(' ', row)));
        Assert.NotEqual(tokens[0], tokens[1]);
    }

    [Fact]
    public void OnnxMetadataMarksTheStandIn()
    {
        foreach (var session in new[] { fixture.Encoder, fixture.Decoder, fixture.EncoderQuantized, fixture.DecoderQuantized })
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            Assert.Equal("true", metadata["stand_in"]);
            Assert.Equal("stand-in/vit-gpt2-image-captioning", metadata["stand_in.model_id"]);
        }
    }

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
