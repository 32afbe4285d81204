using System.Text;
using System.Text.RegularExpressions;

namespace Pipeline.Tests.Unit.Deploy;

/// <summary>
/// A .dockerignore as Docker reads it: patterns in Go's filepath.Match syntax plus <c>**</c> for any number of
/// folders, <c>!</c> for exceptions, the last matching line deciding. A line matches a path when it matches the path
/// itself or one of its parent folders (so <c>**/bin</c> leaves out everything inside a bin folder).
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exception)> _rules = [];

    public DockerIgnore(string text)
    {
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exception = line.StartsWith('!');
            var pattern = Clean(exception ? line[1..].Trim() : line);
            _rules.Add((new Regex(ToRegex(pattern), RegexOptions.CultureInvariant), exception));
        }
    }

    public static DockerIgnore Load(string contextFolder)
    {
        var path = Path.Combine(contextFolder, ".dockerignore");
        return new DockerIgnore(File.Exists(path) ? File.ReadAllText(path) : "");
    }

    /// <summary>Whether a path relative to the build context (with '/') is left out of the context.</summary>
    public bool Excludes(string relativePath)
    {
        var path = Clean(relativePath);
        var excluded = false;
        foreach (var (pattern, exception) in _rules)
        {
            if (SelfAndParents(path).Any(pattern.IsMatch))
            {
                excluded = !exception;
            }
        }

        return excluded;
    }

    private static IEnumerable<string> SelfAndParents(string path)
    {
        for (var end = path.Length; end > 0; end = path.LastIndexOf('/', end - 1))
        {
            yield return path[..end];
        }
    }

    private static string Clean(string path) => path.Replace('\\', '/').TrimStart('/').TrimEnd('/') switch
    {
        var p when p.StartsWith("./", StringComparison.Ordinal) => p[2..],
        var p => p,
    };

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    i++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return regex.Append('$').ToString();
    }
}
