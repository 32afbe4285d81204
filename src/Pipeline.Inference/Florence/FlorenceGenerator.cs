using Microsoft.ML.OnnxRuntime;
using Pipeline.Inference.Generation;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Florence;

/// <summary>
/// Florence-2's generation over a batch, as transformers.js' <c>Florence2ForConditionalGeneration</c> does it for one
/// image: the vision encoder once per image (<see cref="SeeAsync"/>), then per task the prompt's embeddings after the
/// image's 577 features through the encoder, and one decoding loop (greedy or beam search, as the generation config
/// asks) over every image of the batch. Prompts of different lengths are padded on the right with their mask 0.
/// </summary>
internal sealed class FlorenceGenerator : IDisposable
{
    private const string PixelValues = "pixel_values";
    private const string ImageFeatures = "image_features";
    private const string InputsEmbeds = "inputs_embeds";
    private const string AttentionMask = "attention_mask";
    private const string LastHiddenState = "last_hidden_state";

    private readonly FlorenceSessions _sessions;
    private readonly FlorenceEmbedder _embedder;
    private readonly FlorenceDecoder _decoder;

    public FlorenceGenerator(FlorenceSessions sessions)
    {
        _sessions = sessions;
        Require(sessions.Vision, "vision_encoder", PixelValues, ImageFeatures);
        Require(sessions.Encoder, "encoder_model", InputsEmbeds, LastHiddenState);
        _embedder = new FlorenceEmbedder(sessions.EmbedTokens);
        _decoder = new FlorenceDecoder(sessions.Decoder, _embedder);
    }

    /// <summary>The vision encoder over the batch's pixels ([count, 3, H, W]): the features every task of these images reuses.</summary>
    public Task<ImageFeatures> SeeAsync(Memory<float> pixels, int count, int height, int width, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var runOptions = Cancellable(cancellationToken, out var registration);
            using (registration)
            {
                using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, pixels, [count, 3, height, width]);
                using var outputs = _sessions.Vision.Run(runOptions, [PixelValues], [input], [ImageFeatures]);
                var shape = outputs[0].GetTensorTypeAndShape().Shape;
                return new ImageFeatures(outputs[0].GetTensorDataAsSpan<float>().ToArray(), count, (int)shape[1], (int)shape[2]);
            }
        }, cancellationToken);

    /// <summary>One task for every image of the batch: its prompt ids per image in, the generated ids per image out.</summary>
    public Task<List<long>[]> GenerateAsync(
        ImageFeatures images, IReadOnlyList<IReadOnlyList<int>> prompts, GenerationSettings settings, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            using var runOptions = Cancellable(cancellationToken, out var registration);
            using (registration)
            {
                var (hidden, shape, mask) = Encode(images, prompts, runOptions);
                using var state = _decoder.Start(hidden, shape, mask);
                return settings.NumBeams > 1
                    ? BeamSearch.Run(_decoder, state, settings, runOptions, cancellationToken)
                    : GreedySearch.Run(_decoder, state, settings, runOptions, cancellationToken);
            }
        }, cancellationToken);

    public void Dispose() => _sessions.Dispose();

    /// <summary>The encoder over [image features, prompt embeddings] per image, with the mask of what is real.</summary>
    private (float[] Hidden, long[] Shape, long[] Mask) Encode(ImageFeatures images, IReadOnlyList<IReadOnlyList<int>> prompts, RunOptions runOptions)
    {
        var rows = images.Count;
        var promptLength = prompts.Max(p => p.Count);
        var ids = new long[rows * promptLength];
        Array.Fill(ids, FlorenceVocabulary.PaddingId);
        var length = images.Tokens + promptLength;
        var mask = new long[rows * length];
        for (var r = 0; r < rows; r++)
        {
            for (var t = 0; t < prompts[r].Count; t++)
            {
                ids[(r * promptLength) + t] = prompts[r][t];
            }

            mask.AsSpan(r * length, images.Tokens + prompts[r].Count).Fill(1);
        }

        var hidden = images.Hidden;
        var merged = new float[rows * length * hidden];
        using (var promptEmbeddings = _embedder.Embed(ids, rows, promptLength, runOptions))
        {
            var text = promptEmbeddings.GetTensorDataAsSpan<float>();
            for (var r = 0; r < rows; r++)
            {
                var row = merged.AsSpan(r * length * hidden, length * hidden);
                images.Of(r).CopyTo(row);
                text.Slice(r * promptLength * hidden, promptLength * hidden).CopyTo(row[(images.Tokens * hidden)..]);
            }
        }

        long[] shape = [rows, length, hidden];
        using var embeds = OrtValue.CreateTensorValueFromMemory(merged, shape);
        using var attention = OrtValue.CreateTensorValueFromMemory(mask, [rows, length]);
        using var outputs = _sessions.Encoder.Run(runOptions, [InputsEmbeds, AttentionMask], [embeds, attention], [LastHiddenState]);
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), shape, mask);
    }

    private static RunOptions Cancellable(CancellationToken cancellationToken, out CancellationTokenRegistration registration)
    {
        var runOptions = new RunOptions();
        registration = cancellationToken.Register(() => runOptions.Terminate = true);
        return runOptions;
    }

    private static void Require(InferenceSession session, string graph, string input, string output)
    {
        if (!session.InputMetadata.ContainsKey(input) || !session.OutputMetadata.ContainsKey(output))
        {
            throw new ModelNotFoundException(
                $"Florence-2 {graph} needs '{input}' → '{output}' (it has {string.Join(", ", session.InputMetadata.Keys)} → {string.Join(", ", session.OutputMetadata.Keys)}).");
        }
    }
}

/// <summary>The vision encoder's output for a batch: <see cref="Tokens"/> features of <see cref="Hidden"/> floats per image.</summary>
internal sealed record ImageFeatures(float[] Data, int Count, int Tokens, int Hidden)
{
    public ReadOnlySpan<float> Of(int image) => Data.AsSpan(image * Tokens * Hidden, Tokens * Hidden);

    /// <summary>The features of <paramref name="images"/> only, in that order: a task asked by some images of the batch.</summary>
    public ImageFeatures Only(IReadOnlyList<int> images)
    {
        var data = new float[images.Count * Tokens * Hidden];
        for (var i = 0; i < images.Count; i++)
        {
            Of(images[i]).CopyTo(data.AsSpan(i * Tokens * Hidden));
        }

        return new ImageFeatures(data, images.Count, Tokens, Hidden);
    }
}
