using System.Globalization;
using Pipeline.StandInModels.Onnx;
using Pipeline.StandInModels.Onnx.Protobuf;
using static Pipeline.StandInModels.Onnx.Protobuf.TensorProto.Types;

namespace Pipeline.StandInModels;

/// <summary>
/// The two CLIP towers as ONNX graphs. Initializers carry Hugging Face parameter names (linear weights stored
/// [in, out] for MatMul) and are drawn from the (seed, name) streams, so the Xenova and Immich graphs of one seed and
/// size hold the same weights and give the same embeddings.
/// </summary>
public static class ClipGraphs
{
    public const int ImageSize = 224;
    public const int PatchSize = 32;
    public const int Channels = 3;
    public const int ProjectionDim = 512;
    public const int VocabSize = 49408;
    public const int MaxPositions = 77;
    public const int Opset = 17;
    public const long IrVersion = 8;

    private const int Patches = (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <summary>Xenova <c>onnx/vision_model.onnx</c>: pixel_values [batch_size,3,224,224] → image_embeds [batch_size,512], not normalised.</summary>
    public static ModelProto XenovaVision(ClipStandInOptions options)
    {
        var g = NewBuilder(options);
        var pixels = g.Input("pixel_values", DataType.Float, "batch_size", Channels, ImageSize, ImageSize);
        var embeds = VisionTower(g, pixels, options.Dimensions.Vision, output: "image_embeds");
        g.Output(embeds, DataType.Float, "batch_size", ProjectionDim);
        return Finish(g, options, "vision");
    }

    /// <summary>Xenova <c>onnx/text_model.onnx</c>: input_ids int64 [batch_size,sequence_length] → text_embeds [batch_size,512], not normalised.</summary>
    public static ModelProto XenovaText(ClipStandInOptions options)
    {
        var g = NewBuilder(options);
        var ids = g.Input("input_ids", DataType.Int64, "batch_size", "sequence_length");
        var embeds = TextTower(g, ids, options.Dimensions.Text, output: "text_embeds");
        g.Output(embeds, DataType.Float, "batch_size", ProjectionDim);
        return Finish(g, options, "text");
    }

    /// <summary>Immich <c>visual/model.onnx</c>: image float32 [1,3,224,224] → embedding [1,512], L2-normalised.</summary>
    public static ModelProto ImmichVisual(ClipStandInOptions options)
    {
        var g = NewBuilder(options);
        var image = g.Input("image", DataType.Float, 1, Channels, ImageSize, ImageSize);
        var embeds = VisionTower(g, image, options.Dimensions.Vision, output: null);
        var normalised = ClipGraphOps.L2Normalize(g, embeds, output: "embedding");
        g.Output(normalised, DataType.Float, 1, ProjectionDim);
        return Finish(g, options, "visual");
    }

    /// <summary>Immich <c>textual/model.onnx</c>: text int32 [1,77] → embedding [1,512], L2-normalised.</summary>
    public static ModelProto ImmichTextual(ClipStandInOptions options)
    {
        var g = NewBuilder(options);
        var text = g.Input("text", DataType.Int32, 1, MaxPositions);
        var ids = g.Cast(text, DataType.Int64);
        var embeds = TextTower(g, ids, options.Dimensions.Text, output: null);
        var normalised = ClipGraphOps.L2Normalize(g, embeds, output: "embedding");
        g.Output(normalised, DataType.Float, 1, ProjectionDim);
        return Finish(g, options, "textual");
    }

    /// <summary>
    /// CLIPVisionModelWithProjection: patch Conv (no bias) → [CLS] + 49 patch tokens + position embedding →
    /// pre_layrnorm → encoder layers → post_layernorm of the CLS token → visual_projection (no bias).
    /// </summary>
    private static string VisionTower(GraphBuilder g, string pixels, ClipTowerSize size, string? output)
    {
        long width = size.Width;
        string pooled;
        using (g.Scope("vision_model"))
        {
            string hidden;
            using (g.Scope("embeddings"))
            {
                var patchWeight = g.RandomWeight(
                    "vision_model.embeddings.patch_embedding.weight", fanIn: Channels * PatchSize * PatchSize,
                    width, Channels, PatchSize, PatchSize);
                var patches = g.Conv(pixels, patchWeight, bias: null, kernelShape: [PatchSize, PatchSize], strides: [PatchSize, PatchSize]);
                var sequence = g.Transpose(g.Reshape(patches, [0, width, Patches]), [0, 2, 1]);

                // class_embedding.expand(batch, 1, -1), concatenated in front of the patches.
                var classEmbedding = g.RandomNormal("vision_model.embeddings.class_embedding", std: ClipInit.ClassEmbeddingStd, mean: 0, width);
                var batch = g.Slice(g.Shape(pixels), g.Int64s([0]), g.Int64s([1]));
                var classShape = g.Concat([batch, g.Int64s([1, width])], axis: 0);
                var classTokens = g.Expand(classEmbedding, classShape);
                var tokens = g.Concat([classTokens, sequence], axis: 1);

                var positions = g.RandomNormal(
                    "vision_model.embeddings.position_embedding.weight", std: ClipInit.PositionEmbeddingStd, mean: 0, Patches + 1, width);
                hidden = g.Add(tokens, positions);
            }

            // "pre_layrnorm" is the spelling of the real CLIP parameter.
            using (g.Scope("pre_layrnorm"))
            {
                hidden = ClipGraphOps.LayerNorm(g, hidden, "vision_model.pre_layrnorm", width);
            }

            hidden = Encoder(g, hidden, "vision_model", size, additiveMask: null);

            using (g.Scope("post_layernorm"))
            {
                var classToken = g.Gather(hidden, g.Int64Scalar(0), axis: 1);
                pooled = ClipGraphOps.LayerNorm(g, classToken, "vision_model.post_layernorm", width);
            }
        }

        using (g.Scope("visual_projection"))
        {
            var projection = g.RandomWeight("visual_projection.weight", fanIn: width, width, ProjectionDim);
            return g.MatMul(pooled, projection, output);
        }
    }

    /// <summary>
    /// CLIPTextModelWithProjection: token + position embedding (positions 0..S-1) → causal encoder layers →
    /// final_layer_norm → hidden state at argmax(input_ids) (the first EOS 49407) → text_projection (no bias).
    /// </summary>
    private static string TextTower(GraphBuilder g, string ids, ClipTowerSize size, string? output)
    {
        long width = size.Width;
        string pooled;
        using (g.Scope("text_model"))
        {
            string hidden;
            string length;
            using (g.Scope("embeddings"))
            {
                var tokenEmbedding = g.RandomNormal(
                    "text_model.embeddings.token_embedding.weight", std: ClipInit.TokenEmbeddingStd, mean: 0, VocabSize, width);
                var tokens = g.Gather(tokenEmbedding, ids, axis: 0);
                length = g.Slice(g.Shape(ids), g.Int64s([1]), g.Int64s([2]));
                var positionEmbedding = g.RandomNormal(
                    "text_model.embeddings.position_embedding.weight", std: ClipInit.PositionEmbeddingStd, mean: 0, MaxPositions, width);
                var positions = g.Slice(positionEmbedding, g.Int64s([0]), length, g.Int64s([0]));
                hidden = g.Add(tokens, positions);
            }

            string mask;
            using (g.Scope("causal_mask"))
            {
                // 0 on and below the diagonal, float.MinValue above (as transformers' _create_4d_causal_attention_mask),
                // cut to [S, S]; it broadcasts over [batch, heads, S, S]. Tokens after the EOS cannot reach it.
                var full = new float[MaxPositions * MaxPositions];
                for (var row = 0; row < MaxPositions; row++)
                {
                    for (var column = row + 1; column < MaxPositions; column++)
                    {
                        full[(row * MaxPositions) + column] = float.MinValue;
                    }
                }

                var constant = g.Floats("text_model.causal_attention_mask", full, MaxPositions, MaxPositions);
                mask = g.Slice(constant, g.Int64s([0, 0]), g.Concat([length, length], axis: 0), g.Int64s([0, 1]));
            }

            hidden = Encoder(g, hidden, "text_model", size, mask);

            using (g.Scope("final_layer_norm"))
            {
                hidden = ClipGraphOps.LayerNorm(g, hidden, "text_model.final_layer_norm", width);
            }

            using (g.Scope("pooler"))
            {
                // As transformers: input_ids.to(torch.int).argmax(dim=-1) (ArgMax on int64 is not in every runtime);
                // the first maximum wins, i.e. the first EOS when padding repeats it.
                var eos = g.ArgMax(g.Cast(ids, DataType.Int32), axis: -1, keepDims: true);
                pooled = ClipGraphOps.GatherNd(g, hidden, eos, batchDims: 1);
            }
        }

        using (g.Scope("text_projection"))
        {
            var projection = g.RandomWeight("text_projection.weight", fanIn: width, width, ProjectionDim);
            return g.MatMul(pooled, projection, output);
        }
    }

    private static string Encoder(GraphBuilder g, string hidden, string tower, ClipTowerSize size, string? additiveMask)
    {
        using (g.Scope("encoder"))
        {
            for (var i = 0; i < size.Layers; i++)
            {
                var layer = string.Create(CultureInfo.InvariantCulture, $"layers.{i}");
                using (g.Scope(layer))
                {
                    hidden = ClipGraphOps.EncoderLayer(g, hidden, $"{tower}.encoder.{layer}", size, additiveMask);
                }
            }
        }

        return hidden;
    }

    private static GraphBuilder NewBuilder(ClipStandInOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new GraphBuilder("main_graph", Opset, options.Seed);
    }

    private static ModelProto Finish(GraphBuilder g, ClipStandInOptions options, string tower) =>
        g.ToModel(IrVersion, ClipStandIn.ModelMetadata(options, tower),
            docString: $"Stand-in CLIP {tower} tower with random weights; not a real model.");
}
