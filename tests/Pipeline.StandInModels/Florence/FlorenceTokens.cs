using System.Text.Json;

namespace Pipeline.StandInModels.Florence;

/// <summary>What the output schedule asks of a position: which group of tokens the greedy pick comes from.</summary>
public enum TokenKind
{
    /// <summary>One of the 1,000 <c>&lt;loc_N&gt;</c> tokens.</summary>
    Location,

    /// <summary>One of the <see cref="FlorenceTokens.Words"/>, the labels between the locations.</summary>
    Word,

    /// <summary>&lt;/s&gt;, which ends the answer.</summary>
    End,
}

/// <summary>
/// Florence-2's vocabulary as far as the stand-in needs it: BART's 50,265 ids, the 1,024 tokens Florence-2 adds from
/// 50265 (the list and order of <c>src/Pipeline.Inference/Florence/FlorenceVocabulary.cs</c> and of Microsoft's
/// <c>processing_florence2.py</c>; repeated here because this tool does not reference the product), and the ids of
/// the ordinary words the stand-in's answers use.
/// </summary>
public static class FlorenceTokens
{
    /// <summary>BART's vocabulary ends with &lt;mask&gt; at 50264.</summary>
    public const int FirstAddedId = 50265;

    public const int LocationBins = 1000;

    /// <summary>&lt;loc_0&gt;: after &lt;od&gt; &lt;/od&gt; &lt;ocr&gt; &lt;/ocr&gt;.</summary>
    public const int FirstLocationId = FirstAddedId + 4;

    /// <summary>BART's specials with their ids, in id order.</summary>
    public static IReadOnlyList<(int Id, string Content)> BartSpecials { get; } =
    [
        (FlorenceDimensions.BeginningOfSequenceId, "<s>"),
        (FlorenceDimensions.PaddingId, "<pad>"),
        (FlorenceDimensions.EndOfSequenceId, "</s>"),
        (FlorenceDimensions.UnknownId, "<unk>"),
        (FlorenceDimensions.MaskId, "<mask>"),
    ];

    /// <summary>The 1,024 added tokens in id order from <see cref="FirstAddedId"/>.</summary>
    public static IReadOnlyList<string> AddedTokens { get; } =
    [
        "<od>", "</od>", "<ocr>", "</ocr>",
        .. Enumerable.Range(0, LocationBins).Select(bin => $"<loc_{bin}>"),
        "<cap>", "</cap>", "<ncap>", "</ncap>", "<dcap>", "</dcap>", "<grounding>", "</grounding>", "<seg>", "</seg>", "<sep>",
        "<region_cap>", "</region_cap>",
        // Sic: Microsoft's spelling, which the model was trained with.
        "<region_to_desciption>", "</region_to_desciption>",
        "<proposal>", "</proposal>", "<poly>", "</poly>", "<and>",
    ];

    /// <summary>
    /// The words of the stand-in's labels: object names and a few colours and sizes, each one BART token with its
    /// leading space ("Ġdog"), so the decoded answers read like detection labels ("dog", "red car").
    /// </summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "person", "people", "man", "woman", "child", "boy", "girl", "baby", "bicycle", "bike", "car", "truck", "bus",
        "train", "motorcycle", "airplane", "plane", "boat", "ship", "traffic", "light", "sign", "stop", "bench",
        "bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "backpack", "umbrella", "bag", "tie",
        "suitcase", "ball", "bat", "glove", "racket", "bottle", "glass", "cup", "fork", "knife", "spoon", "bowl",
        "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "pizza", "cake", "chair", "couch", "sofa",
        "plant", "bed", "table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "phone", "microwave",
        "oven", "sink", "refrigerator", "book", "clock", "scissors", "tree", "house", "building", "window", "door",
        "road", "street", "sky", "cloud", "grass", "water", "river", "lake", "sea", "beach", "mountain", "hill",
        "rock", "sand", "snow", "field", "flower", "leaf", "wall", "floor", "roof", "fence", "bridge", "tower",
        "church", "lamp", "shirt", "hat", "jacket", "shoe", "dress", "helmet", "flag", "poster", "screen", "box",
        "basket", "paper", "pen", "wheel", "mirror", "curtain", "pillow", "blanket", "towel", "bread", "cheese",
        "egg", "meat", "fish", "fruit", "vegetable", "milk", "coffee", "tea", "wine", "beer", "candle", "desk",
        "shelf", "cabinet", "drawer", "stairs", "path", "sidewalk", "tunnel", "track", "dock", "pier", "statue",
        "fountain", "garden", "park", "forest", "desert", "island", "valley", "cave", "moon", "sun", "star", "fire",
        "smoke", "rain", "ticket", "menu", "logo", "label", "text", "word", "letter", "number", "price", "red",
        "blue", "green", "white", "black", "yellow", "brown", "gray", "grey", "pink", "purple", "small", "large",
        "big", "little", "old", "young", "new", "wooden", "metal", "open", "empty", "tall", "long", "short", "round",
    ];

    public static int LocationId(int bin) => FirstLocationId + bin;

    public static bool IsLocation(int id) => id >= FirstLocationId && id < FirstLocationId + LocationBins;

    /// <summary>The ids of <see cref="Words"/> in BART's <c>vocab.json</c> (ids in the list's order).</summary>
    /// <exception cref="InvalidDataException">A word is not a single token of that vocabulary.</exception>
    public static int[] WordIds(string vocabJsonPath)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(vocabJsonPath));
        var root = document.RootElement;
        return Words.Select(word => root.TryGetProperty("\u0120" + word, out var id)
                ? id.GetInt32()
                : throw new InvalidDataException($"{vocabJsonPath} has no single token for \" {word}\"; it is not BART's vocabulary."))
            .ToArray();
    }
}
