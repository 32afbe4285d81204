using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Pipeline.Storage.Entities;

namespace Pipeline.Storage;

public sealed class PipelineDbContext(DbContextOptions<PipelineDbContext> options) : DbContext(options)
{
    /// <summary>The full-text column's expression (the migration that last changed it repeats it).</summary>
    public const string SearchTextSql =
        "to_tsvector('simple', " + AllText + " || ' ' || pipeline_cjk_bigrams(" + AllText + "))";

    /// <summary>Every text a picture is found by: caption, text read, a task's answer, long description, objects' labels.</summary>
    private const string AllText =
        "coalesce(caption, '') || ' ' || coalesce(ocr_text, '') || ' ' || coalesce(answer, '') || ' ' || " +
        "coalesce(long_description, '') || ' ' || coalesce(jsonb_path_query_array(objects, '$[*].label')::text, '')";

    public DbSet<ImageRecord> Images => Set<ImageRecord>();

    public DbSet<ImageEmbeddingRecord> ImageEmbeddings => Set<ImageEmbeddingRecord>();

    public DbSet<DownscaleSettingsRecord> DownscaleSettings => Set<DownscaleSettingsRecord>();

    public DbSet<AnnouncedBlobRecord> AnnouncedBlobs => Set<AnnouncedBlobRecord>();

    public DbSet<BlobWatchCursorRecord> BlobWatchCursors => Set<BlobWatchCursorRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("vector");

        modelBuilder.Entity<ImageRecord>(image =>
        {
            image.ToTable("images");
            image.HasKey(i => i.Id);
            image.Property(i => i.Id).HasMaxLength(200);
            image.Property(i => i.OwnerId).HasMaxLength(200);
            image.Property(i => i.Status).HasMaxLength(16);
            image.Property(i => i.SourceType).HasMaxLength(ImageRecord.MaxSourceTypeLength);
            image.Property(i => i.SourceVersion).HasMaxLength(200);
            image.Property(i => i.ContentSha256).HasMaxLength(64);
            image.Property(i => i.FailureReason).HasMaxLength(64);
            image.Property(i => i.EmbeddingModelId).HasMaxLength(200);
            image.Property(i => i.CaptionModelId).HasMaxLength(200);
            image.Property(i => i.CaptionTask).HasMaxLength(ImageRecord.MaxCaptionTaskLength);
            image.Property(i => i.OcrModelId).HasMaxLength(200);
            image.Property(i => i.OcrLines).HasColumnType("jsonb");
            image.Property(i => i.Objects).HasColumnType("jsonb");
            // Words in the caption, in the picture, in a task's answer (a detailed caption, text read by a vision
            // model), in the long description and the objects' labels, for the search's full-text half. 'simple' does
            // no stemming: captions and signs come in every language. Chinese, Japanese and Korean text also counts by
            // its character pairs, so a word is found with a particle attached or inside an unspaced line.
            image.Property<NpgsqlTypes.NpgsqlTsVector>("SearchText")
                .HasComputedColumnSql(SearchTextSql, stored: true);
            image.HasIndex("SearchText").HasMethod("GIN");
            image.Property(i => i.TimingsMs)
                .HasColumnType("jsonb")
                .HasConversion(
                    v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
                    v => JsonSerializer.Deserialize<Dictionary<string, double>>(v, JsonSerializerOptions.Default) ?? new(),
                    new ValueComparer<Dictionary<string, double>>(
                        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                        v => v.Aggregate(0, (hash, pair) => HashCode.Combine(hash, pair.Key, pair.Value)),
                        v => new Dictionary<string, double>(v)));
            image.HasIndex(i => new { i.OwnerId, i.ContentSha256 });
            image.HasIndex(i => i.Status);
            image.HasMany(i => i.Embeddings).WithOne().HasForeignKey(e => e.ImageId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ImageEmbeddingRecord>(embedding =>
        {
            embedding.ToTable("image_embeddings");
            embedding.HasKey(e => new { e.ImageId, e.ModelId });
            embedding.Property(e => e.ModelId).HasMaxLength(200);
            embedding.Property(e => e.Embedding).HasColumnType($"vector({ImageEmbeddingRecord.Dimensions})");
            embedding.HasIndex(e => e.Embedding)
                .HasMethod("hnsw")
                .HasOperators("vector_cosine_ops")
                .HasDatabaseName("ix_image_embeddings_embedding_hnsw");
        });

        modelBuilder.Entity<DownscaleSettingsRecord>(settings =>
        {
            settings.ToTable("downscale_settings", table => table.HasCheckConstraint(
                "ck_downscale_settings_single_row", $"id = {DownscaleSettingsRecord.SingletonId}"));
            settings.HasKey(s => s.Id);
            settings.Property(s => s.Id).ValueGeneratedNever();
            settings.Property(s => s.UpdatedBy).HasMaxLength(200);
        });

        modelBuilder.Entity<AnnouncedBlobRecord>(blob =>
        {
            blob.ToTable("announced_blobs");
            blob.HasKey(b => new { b.Container, b.Name });
            blob.Property(b => b.Container).HasMaxLength(AnnouncedBlobRecord.MaxContainerLength);
            blob.Property(b => b.Name).HasMaxLength(AnnouncedBlobRecord.MaxNameLength);
            blob.Property(b => b.ETag).HasMaxLength(200);
        });

        modelBuilder.Entity<BlobWatchCursorRecord>(cursor =>
        {
            cursor.ToTable("blob_watch_cursors");
            cursor.HasKey(c => new { c.Container, c.Prefix });
            cursor.Property(c => c.Container).HasMaxLength(AnnouncedBlobRecord.MaxContainerLength);
            cursor.Property(c => c.Prefix).HasMaxLength(AnnouncedBlobRecord.MaxNameLength);
            cursor.Property(c => c.Name).HasMaxLength(AnnouncedBlobRecord.MaxNameLength);
        });

        UseSnakeCaseColumns(modelBuilder);
    }

    private static void UseSnakeCaseColumns(ModelBuilder modelBuilder)
    {
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
    }

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1])))
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
