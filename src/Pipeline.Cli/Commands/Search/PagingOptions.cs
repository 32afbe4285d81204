using System.CommandLine;

namespace Pipeline.Cli.Commands.Search;

/// <summary>The options every search command shares.</summary>
internal sealed class PagingOptions
{
    public Option<string> Owner { get; } = new("--owner") { Description = "Whose pictures to search (ingest's default owner is demo).", DefaultValueFactory = _ => "demo" };

    public Option<int> Page { get; } = new("--page") { Description = "Page to show, from 1.", DefaultValueFactory = _ => 1 };

    public Option<int> PageSize { get; } = new("--page-size") { Description = "Hits per page (capped by Search:MaxPageSize).", DefaultValueFactory = _ => 20 };

    public Option<double?> MinScore { get; } = new("--min-score") { Description = "Leave out hits scoring below this." };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the page as JSON instead of a table." };

    public void AddTo(Command command, bool withMinScore = true)
    {
        command.Options.Add(Owner);
        command.Options.Add(Page);
        command.Options.Add(PageSize);
        if (withMinScore)
        {
            command.Options.Add(MinScore);
        }

        command.Options.Add(Json);
        foreach (var option in new[] { Page, PageSize })
        {
            option.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                {
                    result.AddError($"{option.Name} must be at least 1.");
                }
            });
        }
    }
}
