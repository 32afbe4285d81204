using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.StandInModels;
using Pipeline.StandInModels.MClip;

namespace Pipeline.Benchmarks.Searching;

/// <summary>
/// What a search query costs before the database sees it: embedding it with CLIP ViT-B/32's text tower (English) and
/// with M-CLIP's XLM-R large tower (every language), both full-size stand-ins with the real models' compute, one query
/// at a time as the API embeds them.
/// </summary>
internal static class QueryTowerBenchmark
{
    private static readonly string[] Queries =
    [
        "고슴도치 사진을 찾아 줘.", "a hedgehog on the grass", "ハリネズミの写真", "刺猬的照片", "바다 위의 노을", "red car in the snow",
        "誕生日ケーキ", "고양이가 소파에 있다", "menu of a coffee shop", "寿司屋のメニュー",
    ];

    public static Command Create()
    {
        var rounds = new Option<int>("--rounds") { Description = "Times each of the 10 queries is embedded after the warm-up.", DefaultValueFactory = _ => 5 };
        var size = new Option<string>("--size") { Description = "full (the real sizes) or tiny (for trying the command).", DefaultValueFactory = _ => "full" };
        size.AcceptOnlyFromAmong("full", "tiny");
        var command = new Command("query-towers", "Latency of embedding one search query: CLIP ViT-B/32's text tower vs M-CLIP's XLM-R large tower.") { rounds, size };
        command.SetAction((result, cancellationToken) => RunAsync(Math.Max(1, result.GetValue(rounds)), result.GetRequiredValue(size) == "full", cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int rounds, bool full, CancellationToken cancellationToken)
    {
        var models = Path.Combine(ModelFolders.RepositoryRoot(), ".local", "models");
        var sizeName = full ? "full" : "tiny";
        var clip = Path.Combine(models, $"bench-clip-{sizeName}");
        var mclip = Path.Combine(models, $"bench-mclip-{sizeName}");
        var stopwatch = Stopwatch.StartNew();
        ClipStandIn.WriteOrReuse(clip, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova, Size = full ? ClipStandInSize.Full : ClipStandInSize.Tiny });
        MClipStandIn.WriteOrReuse(mclip, new MClipStandInOptions { Dimensions = full ? MClipTextSize.Full : MClipTextSize.Tiny });
        Console.WriteLine($"Stand-ins ready in {stopwatch.Elapsed.TotalSeconds:F1} s: {clip}, {mclip}");

        var sessions = new OnnxSessionFactory(Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }), NullLogger<OnnxSessionFactory>.Instance);
        Console.WriteLine($"{Environment.ProcessorCount} processors, ONNX Runtime CPU, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {Queries.Length} queries × {rounds} rounds after one warm-up round");
        Console.WriteLine("tower | load | p50 per query | p95 per query | queries/s");
        stopwatch.Restart();
        using (var english = new ClipTextEmbedder(new ImageEmbedderOptions { Path = clip }, sessions))
        {
            await MeasureAsync("CLIP ViT-B/32 text (Xenova, 12 layers × 512)", stopwatch.Elapsed, english, rounds, cancellationToken);
        }

        stopwatch.Restart();
        using (var multilingual = new MClipTextEmbedder(new QueryEmbedderOptions { Path = mclip }, sessions))
        {
            await MeasureAsync("M-CLIP XLM-R large (Immich, 24 layers × 1024, [1, 77])", stopwatch.Elapsed, multilingual, rounds, cancellationToken);
        }

        return 0;
    }

    private static async Task MeasureAsync(string name, TimeSpan load, ITextEmbedder tower, int rounds, CancellationToken cancellationToken)
    {
        foreach (var query in Queries)
        {
            await tower.EmbedAsync([query], cancellationToken);
        }

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var query in Queries)
            {
                var one = Stopwatch.StartNew();
                await tower.EmbedAsync([query], cancellationToken);
                times.Add(one.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        Console.WriteLine($"{name} | {load.TotalSeconds:F1} s | {times[times.Count / 2]:F1} ms | {times[(int)(times.Count * 0.95)]:F1} ms | {times.Count / total.Elapsed.TotalSeconds:F1}");
    }
}
