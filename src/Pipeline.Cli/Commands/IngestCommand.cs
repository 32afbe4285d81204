using System.CommandLine;
using System.Diagnostics;
using System.Threading.Channels;
using Azure.Storage.Blobs;
using MassTransit;
using Pipeline.Contracts;
using Pipeline.Messaging;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// Uploads every file of a folder to the blob container, announces each with <see cref="ImageUploaded"/>, and follows
/// the results until all are in: a live progress bar in a terminal, one printed line per image when output is
/// redirected. Re-running it is safe: ids are the blob names, so finished images are only re-announced and their
/// stored results re-published.
/// </summary>
internal static class IngestCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder of images to describe." };
        var owner = new Option<string>("--owner") { Description = "Owner of the images.", DefaultValueFactory = _ => "demo" };
        var container = new Option<string>("--container") { Description = "Blob container to upload to.", DefaultValueFactory = _ => "images" };
        var queue = new Option<string>("--queue") { Description = "The worker's input queue.", DefaultValueFactory = _ => QueueNames.ImageUploaded };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for all results.", DefaultValueFactory = _ => 300 };

        var command = new Command("ingest", "Upload and announce a folder of images, then print each image's result.")
        {
            folder, owner, container, queue, timeout,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetRequiredValue(folder),
            parse.GetRequiredValue(owner),
            parse.GetRequiredValue(container),
            parse.GetRequiredValue(queue),
            TimeSpan.FromSeconds(parse.GetRequiredValue(timeout)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(
        DirectoryInfo folder, string owner, string containerName, string queue, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var configuration = CliConfiguration.Load();
        var files = folder.Exists
            ? folder.EnumerateFiles()
                .Where(f => !f.Name.StartsWith('.') && !f.Attributes.HasFlag(FileAttributes.Hidden))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList()
            : throw new DirectoryNotFoundException($"No folder '{folder.FullName}'.");
        var blobs = new BlobServiceClient(configuration.ConnectionString("Blobs", "to upload the images"));
        var rabbit = RabbitMqConnection.Parse(configuration.ConnectionString("RabbitMq", "to announce the images"));

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

        await bus.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var container = blobs.GetBlobContainerClient(containerName);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}")).ConfigureAwait(false);

            var pending = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                var blob = container.GetBlobClient($"{owner}/{file.Name}");
                await blob.UploadAsync(file.FullName, overwrite: true, cancellationToken).ConfigureAwait(false);
                await endpoint.Send(new ImageUploaded(blob.Name, owner, ImageSource.Blob(blob.Uri)), cancellationToken).ConfigureAwait(false);
                pending.Add(blob.Name);
            }

            AnsiConsole.MarkupLineInterpolated($"Announced [bold]{files.Count}[/] images from {folder.FullName} to queue [bold]{queue}[/]; waiting for results…");
            // A terminal gets a live progress bar; logs and pipes keep one line per result.
            var summary = Console.IsOutputRedirected
                ? await ResultPrinter.PrintUntilDoneAsync(results.Reader, pending, timeout, cancellationToken).ConfigureAwait(false)
                : await IngestProgress.ShowUntilDoneAsync(results.Reader, pending, timeout, stopwatch, cancellationToken).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]{summary.Described}[/] described, [bold]{summary.Failed}[/] failed, [bold]{pending.Count}[/] pending after {stopwatch.Elapsed.TotalSeconds:F1} s.");
            return pending.Count == 0 ? 0 : 1;
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
