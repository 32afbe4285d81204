using Microsoft.EntityFrameworkCore;
using Pipeline.Storage;

namespace Pipeline.Tests.Unit.Storage;

/// <summary>
/// Migrations are written by hand here (no dotnet-ef tool on the build machines): the snapshot they end in must be
/// the model the code declares, or the next migration would be built on a wrong base and columns would go missing.
/// </summary>
public sealed class MigrationsTests
{
    [Fact]
    public void TheMigrationsEndInTheModelTheCodeDeclares()
    {
        var builder = new DbContextOptionsBuilder<PipelineDbContext>();
        StorageServiceCollectionExtensions.Configure(builder, "Host=127.0.0.1;Database=unused;Username=unused;Password=unused");
        using var context = new PipelineDbContext(builder.Options);

        Assert.False(context.Database.HasPendingModelChanges(), "the model differs from the migrations' snapshot");
    }
}
