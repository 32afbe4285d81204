namespace Pipeline.Tests.Unit.Deploy;

/// <summary>One instruction: its keyword (upper case), its <c>--flags</c> and the rest of its arguments.</summary>
internal sealed record DockerInstruction(string Keyword, IReadOnlyDictionary<string, string> Flags, string Arguments, int Line)
{
    /// <summary>COPY/ADD operands: the sources and the destination, from the shell form or the JSON form.</summary>
    public (string[] Sources, string Destination) CopyOperands()
    {
        var operands = Arguments.StartsWith('[')
            ? System.Text.Json.JsonSerializer.Deserialize<string[]>(Arguments)!
            : Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return operands.Length >= 2
            ? (operands[..^1], operands[^1])
            : throw new InvalidDataException($"line {Line}: {Keyword} needs a source and a destination.");
    }
}

/// <summary>A build stage: <c>FROM image [AS name]</c> and the instructions up to the next FROM.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions, int Line);

/// <summary>
/// The parts of the Dockerfile syntax the deploy checks need: comments, line continuations, instruction flags, stages
/// and global ARG defaults (<c>ARG NAME=value</c> before the first FROM, as FROM may use them).
/// </summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerStage> stages, IReadOnlyDictionary<string, string> globalArgs)
    {
        Stages = stages;
        GlobalArgs = globalArgs;
    }

    public IReadOnlyList<DockerStage> Stages { get; }

    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public DockerStage Final => Stages[^1];

    public static Dockerfile Load(string path) => Parse(File.ReadAllText(path));

    public static Dockerfile Parse(string text)
    {
        var stages = new List<DockerStage>();
        var globalArgs = new Dictionary<string, string>(StringComparer.Ordinal);
        List<DockerInstruction>? current = null;
        (string Image, string? Name, int Line) from = ("", null, 0);
        foreach (var instruction in Instructions(text))
        {
            if (instruction.Keyword == "FROM")
            {
                if (current is not null)
                {
                    stages.Add(new DockerStage(from.Image, from.Name, current, from.Line));
                }

                var words = instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                from = (words[0], words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, instruction.Line);
                current = [];
            }
            else if (current is null)
            {
                if (instruction.Keyword == "ARG" && instruction.Arguments.Split('=', 2) is [var name, var value])
                {
                    globalArgs[name.Trim()] = value.Trim();
                }
            }
            else
            {
                current.Add(instruction);
            }
        }

        if (current is null)
        {
            throw new InvalidDataException("No FROM instruction.");
        }

        stages.Add(new DockerStage(from.Image, from.Name, current, from.Line));
        return new Dockerfile(stages, globalArgs);
    }

    /// <summary>The image a FROM or <c>COPY --from</c> names with global ARGs substituted, or null for an earlier stage.</summary>
    public string? ExternalImage(string reference, int beforeStage)
    {
        if (Stages.Take(beforeStage).Any(s => string.Equals(s.Name, reference, StringComparison.OrdinalIgnoreCase)) ||
            (int.TryParse(reference, out var index) && index < beforeStage))
        {
            return null;
        }

        return GlobalArgs.Aggregate(reference, (image, arg) => image.Replace("${" + arg.Key + "}", arg.Value, StringComparison.Ordinal).Replace("$" + arg.Key, arg.Value, StringComparison.Ordinal));
    }

    private static IEnumerable<DockerInstruction> Instructions(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i + 1;
            var joined = new System.Text.StringBuilder();
            while (line.EndsWith('\\'))
            {
                joined.Append(line[..^1]).Append(' ');
                // Comment lines inside a continued instruction are dropped, as Docker drops them.
                do
                {
                    line = ++i < lines.Length ? lines[i].Trim() : "";
                }
                while (line.StartsWith('#'));
            }

            joined.Append(line);
            yield return Split(joined.ToString(), start);
        }
    }

    private static DockerInstruction Split(string instruction, int line)
    {
        var words = instruction.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        var rest = words.Length > 1 ? words[1].Trim() : "";
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        while (rest.StartsWith("--", StringComparison.Ordinal))
        {
            var flag = rest.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            var pair = flag[0][2..].Split('=', 2);
            flags[pair[0]] = pair.Length > 1 ? pair[1] : "";
            rest = flag.Length > 1 ? flag[1].Trim() : "";
        }

        return new DockerInstruction(words[0].ToUpperInvariant(), flags, rest, line);
    }
}
