using System.CommandLine;
using System.Diagnostics;
using System.Threading.Channels;
using Azure.Storage.Blobs;
using MassTransit;
using Pipeline.Cli.Errors;
using Pipeline.Cli.Queues;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Ingest;

/// <summary>
/// Uploads the files of a folder to the blob container, announces each with <see cref="ImageUploaded"/>, and follows
/// the results until all are in: a live progress bar in a terminal, one printed line per image when output is
/// redirected. Re-running it is safe: ids are the blob names, so finished images are only re-announced and their
/// stored results re-published. Exit code: 0 all described, 1 some failed, 4 some still pending at the timeout.
/// </summary>
internal static class IngestCommand
{
    /// <summary>How long the bus may take to connect before the broker counts as unreachable.</summary>
    private static readonly TimeSpan BusStartTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How often a silent wait checks that some worker consumes the queue.</summary>
    private static readonly TimeSpan ConsumerCheckInterval = TimeSpan.FromSeconds(5);

    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of images to describe." };
        var owner = new Option<string>("--owner") { Description = "Owner of the images.", DefaultValueFactory = _ => "demo" };
        owner.Validators.Add(result =>
        {
            if (!ImageIds.IsValidOwner(result.GetValueOrDefault<string>()))
            {
                result.AddError($"--owner must be {ImageIds.OwnerRule}.");
            }
        });
        var container = new Option<string>("--container") { Description = "Blob container to upload to.", DefaultValueFactory = _ => "images" };
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for all results.", DefaultValueFactory = _ => 300 };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also the files in subfolders (ids keep their relative path)." };

        var command = new Command("ingest", "Upload and announce a folder of images, then print each image's result (exit 1 if any failed).")
        {
            folder, owner, container, queue, timeout, recursive,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(folder),
            parse.GetRequiredValue(owner),
            parse.GetRequiredValue(container),
            parse.GetRequiredValue(queue),
            TimeSpan.FromSeconds(parse.GetRequiredValue(timeout)),
            parse.GetValue(recursive),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        DirectoryInfo folder, string owner, string containerName, string queue, TimeSpan timeout, bool recursive, CancellationToken cancellationToken)
    {
        if (!folder.Exists)
        {
            throw new CliException(ExitCodes.Usage, $"No folder {folder.FullName}: pass a folder of images (relative paths start at {Environment.CurrentDirectory}).");
        }

        var configuration = CliConfiguration.Load();
        var blobs = new BlobServiceClient(configuration.ConnectionString("Blobs", "to upload the images"));
        var rabbit = RabbitMqConnection.Parse(configuration.ConnectionString("RabbitMq", "to announce the images"));
        var selection = IngestFiles.Select(folder, recursive);
        ReportSkipped(selection.Skipped);
        if (selection.Files.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, $"No files to describe in {folder.FullName}{(recursive ? "" : " (--recursive takes the files in subfolders)")}.");
        }

        // The broker first: an unreachable one is one line and exit 3, before anything is uploaded.
        var depth = (await QueueDepths.ReadAsync(rabbit, [queue], cancellationToken).ConfigureAwait(false))[0];

        var results = Channel.CreateUnbounded<object>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            rabbit.Configure(cfg);
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), endpoint =>
            {
                endpoint.Handler<ImageDescribed>(context => results.Writer.WriteAsync(context.Message).AsTask());
                endpoint.Handler<ImageDescriptionFailed>(context => results.Writer.WriteAsync(context.Message).AsTask());
            });
        });

        await StartAsync(bus, rabbit, cancellationToken).ConfigureAwait(false);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var container = blobs.GetBlobContainerClient(containerName);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var endpoint = await new InputQueueEndpoint(rabbit, queue).GetAsync(bus, cancellationToken).ConfigureAwait(false);

            var pending = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in selection.Files)
            {
                var blob = container.GetBlobClient($"{owner}/{file.BlobPath}");
                await blob.UploadAsync(file.File.FullName, overwrite: true, cancellationToken).ConfigureAwait(false);
                await endpoint.Send(new ImageUploaded(blob.Name, owner, ImageSource.Blob(blob.Uri)), cancellationToken).ConfigureAwait(false);
                pending.Add(blob.Name);
            }

            AnsiConsole.MarkupLineInterpolated($"Announced [bold]{selection.Files.Count}[/] images from {folder.FullName} to queue [bold]{queue}[/]; waiting for results…");
            using var watch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var consumers = WarnWhileNoWorkerAsync(rabbit, queue, depth, pending.Count, watch.Token);
            // A terminal gets a live progress bar; logs and pipes keep one line per result.
            var summary = Console.IsOutputRedirected
                ? await ResultPrinter.PrintUntilDoneAsync(results.Reader, pending, timeout, cancellationToken).ConfigureAwait(false)
                : await IngestProgress.ShowUntilDoneAsync(results.Reader, pending, timeout, stopwatch, cancellationToken).ConfigureAwait(false);
            await watch.CancelAsync().ConfigureAwait(false);
            await consumers.ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]{summary.Described}[/] described, [bold]{summary.Failed}[/] failed, [bold]{pending.Count}[/] pending after {stopwatch.Elapsed.TotalSeconds:F1} s.");
            return pending.Count > 0 ? ExitCodes.TimedOut : summary.Failed > 0 ? ExitCodes.SomethingFailed : ExitCodes.Ok;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static void ReportSkipped(IReadOnlyList<SkippedEntry> skipped)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        AnsiConsole.MarkupLineInterpolated($"Skipped {skipped.Count}:");
        foreach (var entry in skipped)
        {
            AnsiConsole.MarkupLineInterpolated($"  [grey]-[/] {entry.Path}  [grey]({entry.Why})[/]");
        }
    }

    private static async Task StartAsync(IBusControl bus, RabbitMqConnection rabbit, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(BusStartTimeout);
        try
        {
            await bus.StartAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw new CliException(ExitCodes.Unavailable,
                $"RabbitMQ at {rabbit} did not let the tool listen for results within {BusStartTimeout.TotalSeconds:F0} s: check that it runs and ConnectionStrings__RabbitMq.");
        }
    }

    /// <summary>
    /// Announced images wait in the queue until a worker takes them: says so at once, and again if the last worker goes
    /// away while results are awaited, instead of waiting in silence until the timeout.
    /// </summary>
    private static async Task WarnWhileNoWorkerAsync(RabbitMqConnection rabbit, string queue, QueueDepth depth, int images, CancellationToken cancellationToken)
    {
        var warned = false;
        try
        {
            while (true)
            {
                if (depth.Consumers is null or 0 && !warned)
                {
                    await Console.Error.WriteLineAsync(
                        $"warning: no worker is consuming queue {queue}: the {images} images wait there until one starts (scripts/demo.sh starts one; see README, Running).").ConfigureAwait(false);
                }

                warned = depth.Consumers is null or 0;
                await Task.Delay(ConsumerCheckInterval, cancellationToken).ConfigureAwait(false);
                depth = await ReadOrKeepAsync(rabbit, depth, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A check that fails (the broker restarting) keeps the last answer: waiting for results goes on regardless.</summary>
    private static async Task<QueueDepth> ReadOrKeepAsync(RabbitMqConnection rabbit, QueueDepth last, CancellationToken cancellationToken)
    {
        try
        {
            return (await QueueDepths.ReadAsync(rabbit, [last.Queue], cancellationToken).ConfigureAwait(false))[0];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return last;
        }
    }
}
