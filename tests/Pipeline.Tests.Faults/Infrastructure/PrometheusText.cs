using System.Globalization;

namespace Pipeline.Tests.Faults.Infrastructure;

/// <summary>Reads samples out of a Prometheus text exposition, as a scraper would.</summary>
internal static class PrometheusText
{
    /// <summary>
    /// The sum of every sample of <paramref name="name"/> whose labels contain <paramref name="label"/> (a
    /// <c>key="value"</c> pair) when given; 0 when there is none.
    /// </summary>
    public static double Sum(string exposition, string name, string? label = null) =>
        Samples(exposition, name).Where(s => label is null || s.Labels.Contains(label, StringComparison.Ordinal)).Sum(s => s.Value);

    /// <summary>Each sample line of <paramref name="name"/>: <c>name{labels} value [timestamp]</c>.</summary>
    public static IEnumerable<(string Labels, double Value)> Samples(string exposition, string name)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || line[name.Length] is not ('{' or ' '))
            {
                continue;
            }

            var labelsEnd = line[name.Length] == '{' ? line.IndexOf("} ", name.Length, StringComparison.Ordinal) + 1 : name.Length;
            var value = line[(labelsEnd + 1)..].Split(' ')[0];
            yield return (line[name.Length..labelsEnd], double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }
}
