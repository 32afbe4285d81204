namespace Pipeline.Inference.Ocr;

/// <summary>
/// The recogniser's classes: 0 is the CTC blank, 1..n the lines of ppocr_keys_v1.txt in order, n+1 a space
/// (PaddleOCR's <c>use_space_char</c>).
/// </summary>
internal sealed class OcrDictionary
{
    private readonly string[] _symbols;

    private OcrDictionary(string[] symbols) => _symbols = symbols;

    public int Count => _symbols.Length;

    public string this[int index] => _symbols[index];

    public static OcrDictionary Load(string path)
    {
        var text = File.ReadAllText(path);
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            lines = lines[..^1]; // a final newline ends the last line; it does not start an empty one
        }

        var symbols = new string[lines.Length + 2];
        symbols[0] = "";
        for (var i = 0; i < lines.Length; i++)
        {
            symbols[i + 1] = lines[i].TrimEnd('\r');
        }

        symbols[^1] = " ";
        return new OcrDictionary(symbols);
    }
}
