using System.CommandLine;
using Pipeline.Cli.Commands;

var root = new RootCommand("Pipeline: alt-text and embeddings for uploaded images.")
{
    MigrateCommand.Create(),
    IngestCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
