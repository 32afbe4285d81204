using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// What a Dockerfile linter would say about deploy/*.Dockerfile, for the faults that matter here (no Docker engine
/// or hadolint binary can run on the CI machine). Each check returns its problems, one line each; none is good.
/// </summary>
internal static partial class DockerfileChecks
{
    /// <summary>Every COPY/ADD source of the build context exists and is not left out by .dockerignore.</summary>
    public static List<string> MissingCopySources(Dockerfile dockerfile, string context)
    {
        var ignore = DockerIgnore.Load(context);
        var problems = new List<string>();
        foreach (var instruction in dockerfile.Stages.SelectMany(s => s.Instructions))
        {
            if (instruction.Keyword is not ("COPY" or "ADD") || instruction.Flags.ContainsKey("from"))
            {
                continue;
            }

            foreach (var source in instruction.CopyOperands().Sources)
            {
                var included = Files(context, source).Where(f => !ignore.Excludes(f)).ToList();
                if (included.Count == 0)
                {
                    problems.Add($"line {instruction.Line}: {instruction.Keyword} {source}: " +
                        (Files(context, source).Any() ? "left out of the build context by .dockerignore" : "not in the build context"));
                }
            }
        }

        return problems;
    }

    /// <summary>The final stage switches to a user other than root, and nothing switches back after it.</summary>
    public static List<string> RootUser(Dockerfile dockerfile)
    {
        var user = dockerfile.Final.Instructions.LastOrDefault(i => i.Keyword == "USER")?.Arguments;
        if (user is null)
        {
            return ["the final stage has no USER: the image would run as root"];
        }

        var resolved = Resolve(user, dockerfile.Final);
        return resolved.Split(':')[0] is "root" or "0" ? [$"the final stage runs as {user} (root)"] : [];
    }

    /// <summary>Every image pulled (FROM, COPY --from) names a tag other than latest, or a digest.</summary>
    public static List<string> UnpinnedImages(Dockerfile dockerfile)
    {
        var problems = new List<string>();
        for (var i = 0; i < dockerfile.Stages.Count; i++)
        {
            var references = dockerfile.Stages[i].Instructions
                .Where(x => x.Keyword is "COPY" or "ADD" && x.Flags.ContainsKey("from"))
                .Select(x => (Reference: x.Flags["from"], x.Line))
                .Prepend((Reference: dockerfile.Stages[i].Image, dockerfile.Stages[i].Line));
            foreach (var (reference, line) in references)
            {
                if (dockerfile.ExternalImage(reference, i) is not { } image || image.Equals("scratch", StringComparison.Ordinal))
                {
                    continue;
                }

                if (image.Contains('$', StringComparison.Ordinal))
                {
                    problems.Add($"line {line}: {image}: a variable without a global ARG default");
                }
                else if (!image.Contains("@sha256:", StringComparison.Ordinal) && Tag(image) is null or "latest")
                {
                    problems.Add($"line {line}: {image} is not pinned to a tag other than latest");
                }
            }
        }

        return problems;
    }

    /// <summary>
    /// The project files copied before <c>dotnet restore</c> are exactly the published project and the projects it
    /// references, directly or not: one missing fails the image build, one too many costs a restore on its changes.
    /// </summary>
    public static List<string> RestoreLayerMismatch(Dockerfile dockerfile, string context)
    {
        var problems = new List<string>();
        foreach (var stage in dockerfile.Stages)
        {
            var published = stage.Instructions.Where(i => i.Keyword == "RUN")
                .Select(i => DotnetPublish().Match(i.Arguments)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
            if (published.Count == 0)
            {
                continue;
            }

            var copied = stage.Instructions.Where(i => i.Keyword == "COPY" && !i.Flags.ContainsKey("from"))
                .SelectMany(i => i.CopyOperands().Sources).Where(s => s.EndsWith(".csproj", StringComparison.Ordinal)).ToHashSet();
            var needed = published.SelectMany(p => ProjectClosure(context, p)).ToHashSet();
            problems.AddRange(needed.Except(copied).Order(StringComparer.Ordinal).Select(p => $"{p} is referenced but not copied before the restore"));
            problems.AddRange(copied.Except(needed).Order(StringComparer.Ordinal).Select(p => $"{p} is copied but not referenced"));
        }

        return problems;
    }

    /// <summary>A project and every project it references, as paths relative to the context with '/'.</summary>
    public static IEnumerable<string> ProjectClosure(string context, string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(Path.Combine(context, current))!;
            foreach (var reference in XDocument.Load(Path.Combine(context, current)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(folder, reference.Attribute("Include")!.Value.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(context, full).Replace('\\', '/'));
            }
        }

        return seen;
    }

    /// <summary>What follows the last ':' unless it is a registry's port (<c>host:5000/name</c> has no tag).</summary>
    private static string? Tag(string image) =>
        image.LastIndexOf(':') is var colon and >= 0 && !image[(colon + 1)..].Contains('/', StringComparison.Ordinal) ? image[(colon + 1)..] : null;

    /// <summary>Files a source names: the file, every file under the folder, or the matches of a wildcard.</summary>
    private static IEnumerable<string> Files(string context, string source)
    {
        var relative = source.TrimStart('/').TrimEnd('/');
        var path = Path.Combine(context, relative);
        if (relative.IndexOfAny(['*', '?']) >= 0)
        {
            var folder = Path.GetDirectoryName(path)!;
            return Directory.Exists(folder)
                ? Directory.EnumerateFileSystemEntries(folder, Path.GetFileName(path)).SelectMany(e => Files(context, Path.GetRelativePath(context, e)))
                : [];
        }

        if (File.Exists(path))
        {
            return [relative.Replace('\\', '/')];
        }

        return Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(context, f).Replace('\\', '/'))
            : [];
    }

    /// <summary>$NAME / ${NAME} from the stage's own ENV and ARG defaults; what the base image defines stays as written.</summary>
    private static string Resolve(string value, DockerStage stage)
    {
        foreach (var instruction in stage.Instructions.Where(i => i.Keyword is "ENV" or "ARG"))
        {
            foreach (Match pair in Assignment().Matches(instruction.Arguments))
            {
                value = value.Replace("${" + pair.Groups[1].Value + "}", pair.Groups[2].Value, StringComparison.Ordinal)
                    .Replace("$" + pair.Groups[1].Value, pair.Groups[2].Value, StringComparison.Ordinal);
            }
        }

        return value;
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex DotnetPublish();

    [GeneratedRegex(@"(\w+)=(\S+)")]
    private static partial Regex Assignment();
}
