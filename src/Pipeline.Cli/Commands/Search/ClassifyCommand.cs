using System.CommandLine;
using Pipeline.Contracts;
using Pipeline.Search;

namespace Pipeline.Cli.Commands.Search;

/// <summary><c>classify --label cat --label dog [--image id…]</c>: CLIP zero-shot, the best label per picture.</summary>
internal static class ClassifyCommand
{
    public static Command Create(CliContext context)
    {
        var labels = new Option<string[]>("--label") { Description = "A label to choose from (repeat: at least two).", Required = true };
        var images = new Option<string[]>("--image") { Description = "Only these pictures (repeat); all of the owner's when absent." };
        var paging = new PagingOptions();
        var command = new Command("classify", "Give each of an owner's pictures the best of the labels (CLIP zero-shot).") { labels, images };
        paging.AddTo(command, withMinScore: false);
        command.Validators.Add(result =>
        {
            var given = result.GetValue(labels) ?? [];
            if (given.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).Count() < 2)
            {
                result.AddError("Give at least two different --label values.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var owner = parse.GetRequiredValue(paging.Owner);
            var chosen = parse.GetRequiredValue(labels).Select(l => l.Trim()).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var only = parse.GetValue(images) is { Length: > 0 } ids ? ids.SelectMany(id => ImageIds.RowCandidates(owner, id)).Distinct().ToArray() : null;
            await using var services = SearchServices.Create(context.LoadConfiguration());
            var page = await services.Search.ClassifyAsync(
                new ClassifyQuery(owner, chosen, only, parse.GetValue(paging.Page), parse.GetValue(paging.PageSize)), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(paging.Json))
            {
                SearchOutput.WriteJson(context, page, owner);
            }
            else
            {
                SearchOutput.WriteClassifications(context, page, owner);
            }

            return 0;
        });
        return command;
    }
}
