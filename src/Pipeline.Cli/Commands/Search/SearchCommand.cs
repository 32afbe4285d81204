using System.CommandLine;
using Pipeline.Search;

namespace Pipeline.Cli.Commands.Search;

/// <summary><c>search "&lt;text&gt;"</c>: an owner's described pictures that match a description, ranked (see docs/API.md, Search).</summary>
internal static class SearchCommand
{
    public static Command Create(CliContext context)
    {
        var text = new Argument<string>("text") { Description = "What the pictures show, or words written in them." };
        text.Validators.Add(result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("search needs words to look for, for example: pipeline search \"a dog on a beach\"");
            }
        });
        var paging = new PagingOptions();
        var command = new Command("search", "Find an owner's pictures by a description: CLIP similarity and full text over captions and text in the pictures.") { text };
        paging.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var owner = parse.GetRequiredValue(paging.Owner);
            await using var services = SearchServices.Create(context.LoadConfiguration());
            var page = await services.Search.SearchAsync(
                new SearchQuery(owner, parse.GetRequiredValue(text), parse.GetValue(paging.Page), parse.GetValue(paging.PageSize), parse.GetValue(paging.MinScore)),
                cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(paging.Json))
            {
                SearchOutput.WriteJson(context, page, owner);
            }
            else
            {
                SearchOutput.WriteHits(context, page, owner, "match");
            }

            return 0;
        });
        return command;
    }
}
