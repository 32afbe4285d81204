using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pgvector;
using Pipeline.Inference.Embeddings;
using Pipeline.Inference.Runtime;
using Pipeline.Search;
using Pipeline.Storage;
using Pipeline.Storage.Entities;
using Pipeline.Tests.Integration.Infrastructure;

namespace Pipeline.Tests.Integration.Search;

/// <summary>
/// A migrated database of its own, the search service registered as a host registers it (<c>AddImageSearch</c> over
/// configuration naming the tiny stand-in CLIP), and that model's text tower to build picture vectors near known queries.
/// </summary>
public sealed class SearchDatabase(PipelineServices services) : IAsyncLifetime
{
    private readonly List<ServiceProvider> _providers = [];
    private ClipTextEmbedder? _textTower;

    public string ConnectionString { get; private set; } = "";

    public PipelineServices Services => services;

    /// <summary>The stand-in's model id: vectors stored under it are the ones search compares with.</summary>
    public string ModelId => TextTower.Identity.ModelId;

    public ClipTextEmbedder TextTower => _textTower ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>ONNX Runtime sessions on the CPU, as the tests' towers open them.</summary>
    public OnnxSessionFactory Sessions { get; } =
        new(Options.Create(new InferenceOptions { ExecutionProvider = ExecutionProviderChoice.Cpu }), NullLogger<OnnxSessionFactory>.Instance);

    public async ValueTask InitializeAsync()
    {
        ConnectionString = await services.CreateDatabaseAsync(CancellationToken.None);
        var options = StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), ConnectionString);
        await using (var db = new PipelineDbContext((DbContextOptions<PipelineDbContext>)options.Options))
        {
            await db.Database.MigrateAsync();
        }

        _textTower = new ClipTextEmbedder(new ImageEmbedderOptions { Path = services.StandInClipFolder }, Sessions);
    }

    /// <summary>The configuration a host would have: this database, the stand-in CLIP (or none), CPU.</summary>
    public Dictionary<string, string?> Configuration(bool withEmbedder = true) => new()
    {
        ["ConnectionStrings:Postgres"] = ConnectionString,
        ["Models:ImageEmbedder:Path"] = withEmbedder ? services.StandInClipFolder : "",
        ["Inference:ExecutionProvider"] = "Cpu",
    };

    /// <summary>The search service as <c>AddImageSearch</c> wires it, options validated.</summary>
    public IImageSearch CreateSearch(bool withEmbedder = true, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = Configuration(withEmbedder);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var provider = new ServiceCollection().AddLogging().AddImageSearch(configuration).BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        _ = provider.GetRequiredService<IOptions<SearchOptions>>().Value;
        return provider.GetRequiredService<IImageSearch>();
    }

    public async Task<float[]> EmbedAsync(string text) => (await TextTower.EmbedAsync([text], CancellationToken.None))[0];

    public async Task<List<float[]>> EmbedAsync(IReadOnlyList<string> texts) => [.. await TextTower.EmbedAsync(texts, CancellationToken.None)];

    /// <summary>Stores described (or failed) rows with their vectors, as the worker would have written them.</summary>
    public async Task StoreAsync(IEnumerable<StoredPicture> pictures)
    {
        var options = StorageServiceCollectionExtensions.Configure(new DbContextOptionsBuilder<PipelineDbContext>(), ConnectionString);
        await using var db = new PipelineDbContext((DbContextOptions<PipelineDbContext>)options.Options);
        var now = DateTimeOffset.UtcNow;
        var order = 0;
        foreach (var picture in pictures)
        {
            // Distinct creation times make "newest first" orderings deterministic.
            var created = now.AddSeconds(-order++);
            var modelId = picture.ModelId ?? ModelId;
            db.Images.Add(new ImageRecord
            {
                Id = picture.Id,
                OwnerId = picture.Owner,
                Status = picture.Status,
                SourceType = "blob",
                SourceUri = $"http://127.0.0.1:10000/devstoreaccount1/images/{picture.Id}",
                Width = 640,
                Height = 480,
                AltText = picture.AltText,
                Caption = picture.Caption,
                OcrText = picture.OcrText,
                FailureReason = picture.Status == ImageStatus.Failed ? "corrupt-image" : null,
                EmbeddingModelId = picture.Vector is null ? null : modelId,
                StandInModels = true,
                CreatedAt = created,
                UpdatedAt = created,
                Embeddings = picture.Vector is null
                    ? []
                    : [new ImageEmbeddingRecord { ImageId = picture.Id, ModelId = modelId, Embedding = new Vector(picture.Vector), CreatedAt = created }],
            });
        }

        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _textTower?.Dispose();
        if (ConnectionString.Length > 0)
        {
            await services.DropDatabaseAsync(ConnectionString);
        }
    }
}

/// <param name="ModelId">The model the vector is stored under; the stand-in's when null.</param>
public sealed record StoredPicture(
    string Id,
    string Owner,
    float[]? Vector,
    string? AltText = null,
    string? Caption = null,
    string? OcrText = null,
    string Status = ImageStatus.Described,
    string? ModelId = null);
