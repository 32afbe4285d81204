using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Pipeline.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running worker.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PipelineDbContext>
{
    public PipelineDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PipelineDbContext>();
        StorageServiceCollectionExtensions.Configure(builder, "Host=127.0.0.1;Database=pipeline;Username=pipeline;Password=pipeline");
        return new PipelineDbContext(builder.Options);
    }
}
