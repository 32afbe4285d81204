using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Npgsql;
using Pipeline.Benchmarks.EndToEnd;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Pipeline.StandInModels;
using Pipeline.StandInModels.Captioner;
using Pipeline.Testing;
using RabbitMQ.Client;

namespace Pipeline.Benchmarks.Soak;

/// <summary>
/// <c>soak</c>: many images through a worker process (as deployed: <c>dotnet Pipeline.Worker.dll</c>) on the local
/// services with tiny stand-in models, sampled from outside every second — throughput, the worker's resident memory
/// (/proc/&lt;pid&gt;/status) and the input queue's depth — and whether memory grew while the work went on.
/// </summary>
internal static class SoakBenchmark
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Messages to announce (all at once, inline 64×48 PNGs).", DefaultValueFactory = _ => 10_000 };
        var print = new Option<int>("--print-every") { Description = "Print every n-th one-second sample.", DefaultValueFactory = _ => 10 };
        var command = new Command("soak", "A worker process takes 10,000 images: throughput, peak RSS, queue depth over time, memory growth (exit 1 if it grew).")
        {
            images, print,
        };
        command.SetAction((result, cancellationToken) =>
            RunAsync(Math.Max(1, result.GetValue(images)), Math.Max(1, result.GetValue(print)), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(int images, int printEvery, CancellationToken cancellationToken)
    {
        if (ServiceConnections.FromEnvironment() is not { } services)
        {
            await Console.Error.WriteLineAsync("Needs the services: deploy/local/services.sh up && . .local/services.env");
            return 2;
        }

        var root = ModelFolders.RepositoryRoot();
        var id = Guid.NewGuid().ToString("N")[..8];
        var queue = "soak-image-uploaded-" + id;
        var database = new NpgsqlConnectionStringBuilder(services.Postgres) { Database = "soak_" + id }.ConnectionString;
        var rabbit = RabbitMqConnection.Parse(services.RabbitMq).CreateConnectionFactory();
        var (clip, captioner) = StandIns(root);
        await using (var connection = await rabbit.CreateConnectionAsync(cancellationToken))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken))
        {
            await InputQueues.DeclareAsync(channel, queue, cancellationToken);
        }

        var worker = WorkerProcess.Start(WorkerDll(root), new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = database,
            ["ConnectionStrings__RabbitMq"] = services.RabbitMq,
            ["ConnectionStrings__Blobs"] = services.Blobs,
            ["Batching__QueueName"] = queue,
            ["Models__ImageEmbedder__Path"] = clip,
            ["Models__Captioner__Path"] = captioner,
            ["Ocr__Path"] = "",
            ["Inference__ExecutionProvider"] = "Cpu",
            ["Database__MigrateOnStartup"] = "true",
        }, Path.Combine(root, ".local", $"soak-{id}.log"));
        try
        {
            await worker.WaitUntilReadyAsync(cancellationToken);
            var published = Stopwatch.StartNew();
            await PublishAsync(rabbit, queue, images, cancellationToken);
            Console.WriteLine(Invariant($"Announced {images} images to {queue} in {published.Elapsed.TotalSeconds:F1} s; worker pid {worker.Id}, log {worker.LogPath}"));
            Console.WriteLine("     s   queue   done    RSS MB   peak MB");

            var samples = await SampleAsync(worker, rabbit, queue, database, images, printEvery, cancellationToken);
            var csv = Path.Combine(root, ".local", $"soak-{id}.csv");
            await File.WriteAllLinesAsync(
                csv,
                ["seconds,queue_depth,finished,rss_mb,peak_mb", .. samples.Select(s => Invariant($"{s.Seconds:F1},{s.QueueDepth},{s.Finished},{s.ResidentMegabytes:F1},{s.PeakMegabytes:F1}"))],
                cancellationToken);

            var summary = SoakSummary.From(samples, images);
            var verdict = summary.MemoryGrew ? Invariant($"GREW by more than {SoakSummary.GrowthTolerance:P0}") : "no growth";
            Console.WriteLine(Invariant(
                $"{summary.Images} images in {summary.Seconds:F1} s = {summary.ImagesPerSecond:F1} images/s (first row to last); worker peak RSS {summary.PeakMegabytes:F0} MB; mean RSS {summary.FirstQuarterMegabytes:F0} MB in the first quarter, {summary.LastQuarterMegabytes:F0} MB in the last ({summary.Growth:+0.0%;-0.0%}): {verdict}. Samples: {csv}"));
            return summary.MemoryGrew ? 1 : 0;
        }
        finally
        {
            await worker.TerminateAsync(CancellationToken.None);
            await worker.WaitForExitAsync(TimeSpan.FromSeconds(40), CancellationToken.None);
            await worker.DisposeAsync();
            await CleanUpAsync(services.Postgres, database, rabbit, queue);
        }
    }

    private static async Task<List<SoakSample>> SampleAsync(
        WorkerProcess worker, ConnectionFactory rabbit, string queue, string database, int images, int printEvery, CancellationToken cancellationToken)
    {
        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        await using var connection = await rabbit.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM images", db);
        while (true)
        {
            var depth = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            var finished = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
            var memory = worker.Memory() ?? throw new InvalidOperationException($"The worker exited; log: {worker.LogPath}\n{worker.Tail()}");
            var sample = new SoakSample(clock.Elapsed.TotalSeconds, depth, finished, memory.ResidentMegabytes, memory.PeakResidentMegabytes);
            if (samples.Count == 0 || finished > samples[^1].Finished)
            {
                lastProgress = clock.Elapsed;
            }

            samples.Add(sample);
            if (samples.Count % printEvery == 1 || finished >= images)
            {
                Console.WriteLine(Invariant($"{sample.Seconds,6:F0} {depth,7} {finished,6} {sample.ResidentMegabytes,9:F0} {sample.PeakMegabytes,9:F0}"));
            }

            if (finished >= images)
            {
                return samples;
            }

            if (clock.Elapsed - lastProgress > TimeSpan.FromSeconds(120))
            {
                throw new InvalidOperationException($"No image finished for 120 s ({finished} of {images}); log: {worker.LogPath}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(clock.Elapsed.Ticks % TimeSpan.TicksPerSecond), cancellationToken);
        }
    }

    private static async Task PublishAsync(ConnectionFactory rabbit, string queue, int images, CancellationToken cancellationToken)
    {
        var pictures = BenchPictures(64);
        await using var connection = await rabbit.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        foreach (var chunk in Enumerable.Range(0, images).Chunk(200))
        {
            await Task.WhenAll(chunk.Select(i =>
            {
                var message = new ImageUploaded(Invariant($"soak-{i:D6}"), "soak", ImageSource.Inline(pictures[i % pictures.Count]));
                return channel.BasicPublishAsync("", queue, mandatory: true, properties, JsonSerializer.SerializeToUtf8Bytes(message, JsonSerializerOptions.Web), cancellationToken).AsTask();
            }));
        }
    }

    /// <summary>Small PNGs of different colours (the stand-ins' work barely depends on the content).</summary>
    private static List<byte[]> BenchPictures(int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            using var bitmap = new SkiaSharp.SKBitmap(64, 48);
            bitmap.Erase(new SkiaSharp.SKColor((byte)(i * 37), (byte)(i * 91), (byte)(i * 53)));
            using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            return png.ToArray();
        }).ToList();

    private static (string Clip, string Captioner) StandIns(string root)
    {
        var models = Path.Combine(root, ".local", "models");
        var clip = Path.Combine(models, "soak-clip-tiny");
        var captioner = Path.Combine(models, "soak-captioner-tiny");
        ClipStandIn.WriteOrReuse(clip, new ClipStandInOptions { Layout = ClipStandInLayout.Xenova, Size = ClipStandInSize.Tiny });
        CaptionerStandIn.WriteOrReuse(captioner, new CaptionerStandInOptions { Layout = CaptionerLayout.VitGpt2, Size = CaptionerSize.Tiny, Quantized = true });
        return (clip, captioner);
    }

    internal static string WorkerDll(string root)
    {
        var configuration = typeof(SoakBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
        var path = Path.Combine(root, "src", "Pipeline.Worker", "bin", configuration, "net10.0", "Pipeline.Worker.dll");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built.");
    }

    internal static async Task CleanUpAsync(string adminConnection, string database, ConnectionFactory rabbit, string queue)
    {
        NpgsqlConnection.ClearAllPools();
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{new NpgsqlConnectionStringBuilder(database).Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await using var connection = await rabbit.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var name in new[] { queue, queue + "_error", queue + "_skipped" })
        {
            await channel.QueueDeleteAsync(name);
            await channel.ExchangeDeleteAsync(name);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
