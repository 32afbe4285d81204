using Pipeline.Inference.Generation;
using Pipeline.Tests.Unit.Tokenizers;

namespace Pipeline.Tests.Unit.Generation;

/// <summary>Decoding settings come from the model's own config files, merged the way transformers.js merges them.</summary>
public sealed class GenerationSettingsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void RealVitGpt2ConfigsGiveGreedyDecodingOfTwentyTokensFromTheEndOfTextToken()
    {
        CopyRealVitGpt2Config();

        var settings = GenerationSettings.Load(_folder.Path);

        Assert.Equal(50256, settings.DecoderStartTokenId);
        Assert.Equal([50256], settings.EosTokenIds);
        Assert.Equal(50256, settings.PadTokenId);
        Assert.Equal(20, settings.MaxLength);
        Assert.Equal(1, settings.NumBeams);
        Assert.Equal(1f, settings.RepetitionPenalty);
        Assert.Equal(0, settings.NoRepeatNgramSize);
        Assert.Empty(settings.BadWordsIds);
        Assert.False(settings.ConfigAskedForSampling);
    }

    [Fact]
    public void DistilvitGenerationConfigTurnsOnBeamsPenaltiesAndLongerCaptions()
    {
        CopyRealVitGpt2Config();
        File.WriteAllText(_folder.Sub("generation_config.json"), """
            {"bos_token_id": 50256, "do_sample": false, "early_stopping": true, "eos_token_id": 50256, "max_length": 50,
             "no_repeat_ngram_size": 2, "num_beams": 2, "pad_token_id": 50256, "repetition_penalty": 1.2, "seed": 12,
             "use_cache": true, "bad_words_ids": [[1234], [10, 20]]}
            """);

        var settings = GenerationSettings.Load(_folder.Path);

        Assert.Equal((50, 2, 2, 1.2f, true), (settings.MaxLength, settings.NumBeams, settings.NoRepeatNgramSize, settings.RepetitionPenalty, settings.EarlyStopping));
        Assert.Equal(2, settings.BadWordsIds.Count);
        Assert.Equal([10, 20], settings.BadWordsIds[1]);
    }

    [Fact]
    public void OptionsOverrideTheModelsChoices()
    {
        CopyRealVitGpt2Config();
        File.WriteAllText(_folder.Sub("generation_config.json"), """{"num_beams": 4, "max_length": 50, "eos_token_id": 50256}""");

        var settings = GenerationSettings.Load(_folder.Path, numBeams: 1, maxLength: 12);

        Assert.Equal((1, 12), (settings.NumBeams, settings.MaxLength));
    }

    [Fact]
    public void MaxNewTokensCountsAfterTheStartTokenAndSamplingIsNoticed()
    {
        CopyRealVitGpt2Config();
        File.WriteAllText(_folder.Sub("generation_config.json"), """{"max_new_tokens": 30, "do_sample": true, "temperature": 0.7}""");

        var settings = GenerationSettings.Load(_folder.Path);

        Assert.Equal(31, settings.MaxLength);
        Assert.True(settings.ConfigAskedForSampling);
    }

    [Fact]
    public void DecoderSectionOverridesTheTopLevelAsInTransformersJs()
    {
        File.WriteAllText(_folder.Sub("config.json"), """
            {"max_length": 30, "decoder_start_token_id": 7, "eos_token_id": 9,
             "decoder": {"max_length": 16, "eos_token_id": 8, "decoder_start_token_id": null}}
            """);

        var settings = GenerationSettings.Load(_folder.Path);

        Assert.Equal((16, 7), (settings.MaxLength, settings.DecoderStartTokenId));
        Assert.Equal([8], settings.EosTokenIds);
    }

    public void Dispose() => _folder.Dispose();

    private void CopyRealVitGpt2Config()
    {
        var real = VocabFolders.Folder("vit-gpt2-image-captioning");
        File.Copy(Path.Combine(real, "config.json"), _folder.Sub("config.json"));
        File.Copy(Path.Combine(real, "generation_config.json"), _folder.Sub("generation_config.json"));
    }
}
