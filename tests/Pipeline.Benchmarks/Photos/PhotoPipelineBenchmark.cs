using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Azure.Storage.Blobs;
using Pipeline.Benchmarks.EndToEnd;
using Pipeline.Contracts;

namespace Pipeline.Benchmarks.Photos;

/// <summary>
/// <c>photos</c>: the worker end to end on what users upload — 12-megapixel phone photos (JPEG with EXIF orientation,
/// and the same pictures as HEIC) stored in the blob store and announced as blobs — next to the 224×224 inline PNGs
/// every earlier figure used, in one run: images/s, where each image's time goes (stage shares) and peak memory.
/// Every model of a deployment runs: the full-size CLIP image tower, the full-size distilvit captioner, the real OCR.
/// </summary>
internal static class PhotoPipelineBenchmark
{
    private static readonly string[] Stages = ["fetch", "decode", "embed", "caption", "ocr", "persist"];

    public static Command Create()
    {
        var photos = new Option<int>("--photos") { Description = "Distinct phone photos per format (each announced twice).", DefaultValueFactory = _ => 12 };
        var formats = new Option<string>("--formats") { Description = "Photo formats, comma-separated (jpeg, heic, …).", DefaultValueFactory = _ => "jpeg,heic" };
        var batch = new Option<int>("--batch") { Description = "Batching:MaxBatchSize.", DefaultValueFactory = _ => 5 };
        var command = new Command("photos", "End to end on 12-megapixel phone photos from the blob store next to 224×224 inline PNGs: images/s, stage shares, peak RSS.")
        {
            photos, formats, batch,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            Math.Max(1, result.GetValue(photos)),
            result.GetRequiredValue(formats).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Math.Max(1, result.GetValue(batch)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int photos, IReadOnlyList<string> formats, int batch, CancellationToken cancellationToken)
    {
        if (ServiceConnections.FromEnvironment() is not { } services)
        {
            await Console.Error.WriteLineAsync("Needs the services: deploy/local/services.sh up && . .local/services.env");
            return 2;
        }

        var root = ModelFolders.RepositoryRoot();
        var ocr = Path.Combine(root, "models", "cache", "ppocr-v4");
        var folders = ModelFolders.Prepare(root, new BenchOptions(true, photos, [batch], 20, 0, "quantized", SkipJs: true));
        var captioner = ModelFolders.FixedLength(folders.Captioner, 20);
        var container = new BlobServiceClient(services.Blobs).GetBlobContainerClient("bench-photos-" + Guid.NewGuid().ToString("N")[..8]);
        await container.CreateAsync(cancellationToken: cancellationToken);
        var inline = Path.Combine(Path.GetTempPath(), $"pipeline-photos-{Environment.ProcessId}");
        try
        {
            var sets = new List<(string Name, List<ImageSource> Sources)>
            {
                ("224×224 PNG, inline", BenchImages.Write(inline, photos).Select(f => ImageSource.Inline(File.ReadAllBytes(f))).ToList()),
            };
            foreach (var format in formats)
            {
                var files = PhoneShots.Files(root, format, photos);
                var uris = new List<ImageSource>();
                foreach (var file in files)
                {
                    var blob = container.GetBlobClient(Path.GetFileName(file));
                    await blob.UploadAsync(file, overwrite: true, cancellationToken);
                    uris.Add(ImageSource.Blob(blob.Uri));
                }

                if (uris.Count > 0)
                {
                    var megabytes = files.Average(f => new FileInfo(f).Length) / 1_048_576.0;
                    sets.Add((Invariant($"{PhoneShots.Width}×{PhoneShots.Height} {format}, blob, {megabytes:F1} MB"), uris));
                }
            }

            var overrides = new Dictionary<string, string?>
            {
                ["Models:ImageEmbedder:Path"] = folders.Clip,
                ["Ocr:Path"] = Directory.Exists(ocr) ? ocr : "",
                ["Sources:AllowedContainers:0"] = container.Name,
            };
            await using var worker = await BenchWorker.StartAsync(services, captioner, 20, WorkerSettings.Batched(batch), overrides, cancellationToken);
            await using var producer = await Producer.StartAsync(services.RabbitMq, cancellationToken);
            await AnnounceAndWaitAsync(producer, worker.Queue, "warm", sets[0].Sources.Take(2 * batch).ToList(), cancellationToken);

            Console.WriteLine(Invariant($"date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Environment.ProcessorCount} cores; batch {batch}; models: full-size stand-in CLIP ViT-B/32 image tower, full-size stand-in distilvit (20-token captions), real PP-OCRv4{(Directory.Exists(ocr) ? "" : " (not fetched: off)")}"));
            Console.WriteLine("set | images | img/s | ms per image by stage (share of the stages' sum) | peak RSS MB");
            Console.WriteLine("----|--------|-------|---------------------------------------------------|------------");
            foreach (var (name, sources) in sets)
            {
                var all = sources.Concat(sources).ToList();
                var clock = Stopwatch.StartNew();
                var results = await AnnounceAndWaitAsync(producer, worker.Queue, "timed", all, cancellationToken);
                clock.Stop();
                var perImage = Stages.ToDictionary(s => s, s => results.Average(r => r.TimingsMs.GetValueOrDefault(s)));
                var sum = perImage.Values.Sum();
                var shares = string.Join(", ", perImage.Where(p => p.Value > 0).Select(p => Invariant($"{p.Key} {p.Value:F0} ({p.Value / sum:P0})")));
                Console.WriteLine(Invariant($"{name} | {all.Count} | {all.Count / clock.Elapsed.TotalSeconds:F2} | {shares} | {PeakMemory.ResidentMegabytes():F0}"));
            }

            return 0;
        }
        finally
        {
            await container.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            if (Directory.Exists(inline))
            {
                Directory.Delete(inline, recursive: true);
            }
        }
    }

    private static async Task<List<Producer.Result>> AnnounceAndWaitAsync(
        Producer producer, string queue, string prefix, List<ImageSource> sources, CancellationToken cancellationToken)
    {
        var ids = sources.Select((_, i) => Invariant($"{prefix}-{i:D4}-{Guid.NewGuid():N}")).ToList();
        await Task.WhenAll(ids.Select((id, i) => producer.SendAsync(queue, id, sources[i], cancellationToken)));
        await producer.WaitForAsync(ids, TimeSpan.FromMinutes(15), cancellationToken);
        var results = ids.Select(id => producer.Results[id]).ToList();
        var failures = results.Where(r => r.Failed).Select(r => r.Failure).ToList();
        return failures.Count > 0
            ? throw new BenchmarkException($"{failures.Count} of {ids.Count} images failed; the first: {failures[0]}")
            : results;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
