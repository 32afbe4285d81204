using System.Text;
using System.Text.Json;
using Pipeline.Inference.Runtime;

namespace Pipeline.Inference.Tokenizers;

/// <summary>
/// A Hugging Face BPE model as stored beside the ONNX files: <c>vocab.json</c> and <c>merges.txt</c>, or, where a
/// repository ships only the fast-tokenizer file (some Mozilla/distilvit revisions), the <c>model</c> of <c>tokenizer.json</c>.
/// </summary>
internal sealed class BpeModelFiles
{
    public const string VocabFileName = "vocab.json";
    public const string MergesFileName = "merges.txt";
    public const string TokenizerJsonFileName = "tokenizer.json";

    private BpeModelFiles(Dictionary<string, int> vocabulary, List<string> merges)
    {
        Vocabulary = vocabulary;
        Merges = merges;
    }

    /// <summary>Token (in the byte-level alphabet) → id.</summary>
    public Dictionary<string, int> Vocabulary { get; }

    /// <summary>Merge rules ("left right"), highest priority first, without the <c>#version</c> header.</summary>
    public List<string> Merges { get; }

    public static BpeModelFiles FromFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var vocabPath = Path.Combine(folder, VocabFileName);
        var mergesPath = Path.Combine(folder, MergesFileName);
        var tokenizerJsonPath = Path.Combine(folder, TokenizerJsonFileName);
        if (!File.Exists(vocabPath) && File.Exists(tokenizerJsonPath))
        {
            return FromTokenizerJson(tokenizerJsonPath);
        }

        foreach (var path in new[] { vocabPath, mergesPath })
        {
            if (!File.Exists(path))
            {
                throw new ModelNotFoundException($"Tokenizer file not found: {path}");
            }
        }

        try
        {
            using var vocab = File.OpenRead(vocabPath);
            using var merges = File.OpenRead(mergesPath);
            return FromStreams(vocab, merges);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ModelNotFoundException($"Tokenizer files in {folder} could not be read: {e.Message}", e);
        }
    }

    public static BpeModelFiles FromStreams(Stream vocabJson, Stream mergesTxt)
    {
        ArgumentNullException.ThrowIfNull(vocabJson);
        ArgumentNullException.ThrowIfNull(mergesTxt);

        Dictionary<string, int>? vocabulary;
        try
        {
            vocabulary = JsonSerializer.Deserialize<Dictionary<string, int>>(vocabJson);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{VocabFileName} is not a JSON object of token → id: {e.Message}", e);
        }

        if (vocabulary is null || vocabulary.Count == 0)
        {
            throw new InvalidDataException($"{VocabFileName} holds no tokens.");
        }

        var merges = new List<string>(vocabulary.Count);
        using (var reader = new StreamReader(mergesTxt, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true))
        {
            var first = true;
            while (reader.ReadLine() is { } line)
            {
                // Hugging Face skips a leading "#version: …" line and blank lines.
                if ((first && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0)
                {
                    first = false;
                    continue;
                }

                first = false;
                if (line.Split(' ').Length != 2)
                {
                    throw new InvalidDataException($"{MergesFileName} line '{line}' is not a pair of tokens separated by one space.");
                }

                merges.Add(line);
            }
        }

        return new BpeModelFiles(vocabulary, merges);
    }

    /// <summary>The vocabulary and merges of a <c>tokenizer.json</c> whose model is BPE (merges as strings or pairs).</summary>
    private static BpeModelFiles FromTokenizerJson(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var model = document.RootElement.GetProperty("model");
            var vocabulary = model.GetProperty("vocab").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32(), StringComparer.Ordinal);
            var merges = model.GetProperty("merges").EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Array ? $"{m[0].GetString()} {m[1].GetString()}" : m.GetString()!)
                .ToList();
            return vocabulary.Count > 0
                ? new BpeModelFiles(vocabulary, merges)
                : throw new InvalidDataException($"{path} has an empty vocabulary.");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or InvalidDataException or IOException)
        {
            throw new ModelNotFoundException($"{path} holds no BPE model the tokenizer can read: {e.Message}", e);
        }
    }

    /// <summary>The id of a token the tokenizer cannot work without.</summary>
    public int RequiredId(string token)
        => Vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new InvalidDataException($"{VocabFileName} has no '{token}' token.");

    /// <summary>Id → token, for decoding (ids are dense in Hugging Face vocabularies, but holes are tolerated).</summary>
    public string?[] ReverseVocabulary()
    {
        var reverse = new string?[Vocabulary.Values.Max() + 1];
        foreach (var (token, id) in Vocabulary)
        {
            if (id < 0)
            {
                throw new InvalidDataException($"{VocabFileName} gives '{token}' the negative id {id}.");
            }

            reverse[id] = token;
        }

        return reverse;
    }
}
