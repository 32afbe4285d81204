using System.Diagnostics;
using System.Globalization;
using System.Net;
using Pipeline.Tests.Api.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Api;

/// <summary>
/// Thumbnails of huge pictures cost the API bounded memory: the API as a process in a memory cgroup of its Kubernetes
/// limit (deploy/k8s/api.yaml, 1536 MiB) answers ten requests at once for a thumbnail of a 64-megapixel PNG, then ten
/// at once spread over three stored widths of another, without being OOM-killed.
/// </summary>
public sealed class ThumbnailMemoryTests(PipelineServices services)
{
    private const long MemoryLimit = 1536L * 1024 * 1024;
    private const string Owner = "mallory";

    [Fact]
    public async Task TenConcurrentThumbnailRequestsForA64MegapixelPngAllAnswerWithinTheApisMemoryLimit()
    {
        Assert.SkipUnless(MemoryCgroup.IsAvailable, "Needs root and the cgroup v1 memory controller (/sys/fs/cgroup/memory).");
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, withWorker: false, api: new Dictionary<string, string?>
        {
            // The render log lines (how long each took) go with the failure message.
            ["Logging:LogLevel:Pipeline.Api"] = "Information",
        });
        using var cgroup = MemoryCgroup.Create(MemoryLimit);
        await using var api = ApiProcess.Start(run.ApiSettings, cgroup);
        await api.WaitUntilReadyAsync(cancellationToken);
        var client = api.ClientFor(Owner);
        var bands = HugePngs.Rgb(8000, 8000, 48, 128, 192);
        var black = HugePngs.Bilevel(8000, 8000);
        await UploadAsync(client, "bands", bands, cancellationToken);
        await UploadAsync(client, "black", black, cancellationToken);

        var sameWidth = await BurstAsync(client, "bands", [.. Enumerable.Repeat(256, 10)], cancellationToken);
        var threeWidths = await BurstAsync(client, "black", [64, 64, 64, 128, 128, 128, 256, 256, 256, 256], cancellationToken);

        var peakRss = api.Memory() is { } memory ? string.Create(CultureInfo.InvariantCulture, $"{memory.PeakResidentMegabytes:F0} MiB") : "unknown (it has exited)";
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"10 × width=256 of an 8000×8000 RGB PNG ({bands.Length / 1024} KiB): {sameWidth.Wall.TotalSeconds:F1} s; " +
            $"10 over 3 stored widths of an 8000×8000 1-bit PNG ({black.Length / 1024} KiB): " +
            $"{threeWidths.Wall.TotalSeconds:F1} s; API peak RSS {peakRss}, cgroup peak " +
            $"{cgroup.PeakBytes / 1_048_576.0:F0} MiB of {MemoryLimit / 1_048_576} MiB (limit reached {cgroup.LimitHits} times, OOM kills {cgroup.OomKills})");
        TestContext.Current.SendDiagnosticMessage(figures);
        TestContext.Current.TestOutputHelper?.WriteLine(figures);
        var failures = sameWidth.Failures.Concat(threeWidths.Failures).ToList();
        Assert.True(failures.Count == 0 && !api.HasExited && cgroup.OomKills == 0,
            $"{figures}\n{string.Join('\n', failures)}\nAPI exited: {api.HasExited}; its last lines:\n{api.Tail()}");
    }

    /// <summary>One request per width, all at once; failures as lines (an OOM-killed API answers nothing).</summary>
    private static async Task<(TimeSpan Wall, List<string> Failures)> BurstAsync(
        HttpClient client, string id, int[] widths, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var answers = await Task.WhenAll(widths.Select(width => ThumbnailWidthAsync(client, id, width, cancellationToken)));
        watch.Stop();
        var failures = answers.Zip(widths)
            .Where(pair => pair.First.Failure is not null || pair.First.Width < pair.Second)
            .Select(pair => $"{id} width={pair.Second}: {pair.First.Failure ?? $"{pair.First.Width} pixels wide"}")
            .ToList();
        return (watch.Elapsed, failures);
    }

    /// <summary>The width of the thumbnail answered, or why there is none.</summary>
    private static async Task<(int Width, string? Failure)> ThumbnailWidthAsync(HttpClient client, string id, int width, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync($"/v1/images/{id}/content?width={width}", cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (0, $"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}");
            }

            using var decoded = SKBitmap.Decode(body);
            return decoded is null ? (0, "not a picture") : (decoded.Width, null);
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    private static async Task UploadAsync(HttpClient client, string id, byte[] png, CancellationToken cancellationToken)
    {
        using var upload = await client.PostRawAsync($"/v1/images?id={id}", png, "image/png", cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
    }
}
