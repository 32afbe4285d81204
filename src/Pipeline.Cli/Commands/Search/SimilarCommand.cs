using System.CommandLine;
using Pipeline.Contracts;
using Pipeline.Search;
using Spectre.Console;

namespace Pipeline.Cli.Commands.Search;

/// <summary><c>similar &lt;imageId&gt;</c>: the owner's pictures nearest to one of theirs by CLIP vector.</summary>
internal static class SimilarCommand
{
    public static Command Create(CliContext context)
    {
        var image = new Argument<string>("imageId") { Description = "A described picture of the owner, by the id search shows (ingest names them after the file)." };
        image.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("similar needs the id of one of the owner's pictures, for example: pipeline similar astronaut.png");
            }
        });
        var paging = new PagingOptions();
        var command = new Command("similar", "Find an owner's pictures that look like one of theirs.") { image };
        paging.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var owner = parse.GetRequiredValue(paging.Owner);
            var imageId = parse.GetRequiredValue(image);
            await using var services = SearchServices.Create(context.LoadConfiguration());
            SearchPage? page = null;
            foreach (var rowId in ImageIds.RowCandidates(owner, imageId))
            {
                page ??= await services.Search.SimilarAsync(
                    new SimilarQuery(owner, rowId, parse.GetValue(paging.Page), parse.GetValue(paging.PageSize), parse.GetValue(paging.MinScore)),
                    cancellationToken).ConfigureAwait(false);
            }

            if (page is null)
            {
                context.Console.MarkupLineInterpolated($"[red]Owner {owner} has no described picture '{imageId}'.[/]");
                return 1;
            }

            if (parse.GetValue(paging.Json))
            {
                SearchOutput.WriteJson(context, page, owner);
            }
            else
            {
                SearchOutput.WriteHits(context, page, owner, $"look like {imageId} (or it has no vector)");
            }

            return 0;
        });
        return command;
    }
}
