using NpgsqlTypes;
using Pgvector;
using Pipeline.Storage.Entities;

namespace Pipeline.Benchmarks.Searching;

/// <summary>
/// Reproducible stand-ins for CLIP picture vectors and captions. Real embeddings are not uniform on the sphere: they
/// gather by subject, and subjects by theme. So: 10 themes, 20 subjects each (200 clusters); a picture lies at cosine
/// ~0.75 to its subject's centre, a subject's centre at ~0.7 to its theme's. Captions name the subject and its place
/// ("a red subject17 in the place3"). A query is text-like: at cosine ~0.3 to a subject's centre (CLIP puts a
/// description about that far from the pictures it matches) and worded like the captions of that subject.
/// </summary>
internal sealed class SyntheticCorpus
{
    public const int Dimensions = ImageEmbeddingRecord.Dimensions;
    public const string ModelId = "synthetic-clip-512";

    private const int Themes = 10;
    private const int SubjectsPerTheme = 20;
    private static readonly string[] Colours = ["red", "blue", "green", "yellow", "black", "white", "grey", "orange"];

    private readonly float[][] _subjects;
    private readonly int _owners;

    public SyntheticCorpus(int owners, int seed)
    {
        _owners = owners;
        var random = new Random(seed);
        var themes = Enumerable.Range(0, Themes).Select(_ => Gaussian(random, 1.0)).ToArray();
        _subjects = Enumerable.Range(0, Themes * SubjectsPerTheme)
            .Select(s => Normalize(Add(Normalize(themes[s / SubjectsPerTheme]), Gaussian(random, 1.0))))
            .ToArray();
    }

    public static string Owner(int index) => $"owner-{index:D2}";

    /// <summary>Pictures <paramref name="from"/>..<paramref name="to"/> (exclusive): the same index always gives the same picture.</summary>
    public IEnumerable<(string Id, string Owner, string Caption, Vector Vector)> Pictures(int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            var random = new Random(HashCode.Combine(i, 7919));
            var subject = random.Next(_subjects.Length);
            var vector = Normalize(Add(_subjects[subject], Gaussian(random, 0.9)));
            yield return ($"{Owner(i % _owners)}/picture-{i:D6}", Owner(i % _owners), $"a {Colours[random.Next(Colours.Length)]} {Words(subject)}", new Vector(vector));
        }
    }

    public List<(string Owner, string Text, float[] Vector)> Queries(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var subject = random.Next(_subjects.Length);
            var vector = Normalize(Add(Scale(_subjects[subject], 0.32), Gaussian(random, 0.95)));
            return (Owner(random.Next(_owners)), Words(subject), vector);
        }).ToList();
    }

    /// <summary>Binary COPY of pictures and their vectors (the HNSW index is built afterwards, as a bulk load should).</summary>
    public async Task LoadAsync(ScratchDatabase database, int from, int to, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using (var images = await connection.BeginBinaryImportAsync(
            "COPY images (id, owner_id, status, source_type, caption, alt_text, embedding_model_id, stand_in_models, timings_ms, created_at, updated_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var (id, owner, caption, _) in Pictures(from, to))
            {
                await images.StartRowAsync(cancellationToken);
                await images.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
                await images.WriteAsync(owner, NpgsqlDbType.Varchar, cancellationToken);
                await images.WriteAsync(ImageStatus.Described, NpgsqlDbType.Varchar, cancellationToken);
                await images.WriteAsync("blob", NpgsqlDbType.Varchar, cancellationToken);
                await images.WriteAsync(caption, NpgsqlDbType.Text, cancellationToken);
                await images.WriteAsync(char.ToUpperInvariant(caption[0]) + caption[1..] + ".", NpgsqlDbType.Text, cancellationToken);
                await images.WriteAsync(ModelId, NpgsqlDbType.Varchar, cancellationToken);
                await images.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                await images.WriteAsync("{}", NpgsqlDbType.Jsonb, cancellationToken);
                await images.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await images.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await images.CompleteAsync(cancellationToken);
        }

        await using var embeddings = await connection.BeginBinaryImportAsync(
            "COPY image_embeddings (image_id, model_id, embedding, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (id, _, _, vector) in Pictures(from, to))
        {
            await embeddings.StartRowAsync(cancellationToken);
            await embeddings.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
            await embeddings.WriteAsync(ModelId, NpgsqlDbType.Varchar, cancellationToken);
            await embeddings.WriteAsync(vector, cancellationToken);
            await embeddings.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await embeddings.CompleteAsync(cancellationToken);
    }

    private static string Words(int subject) => $"subject{subject} in the place{subject % 7}";

    private static float[] Gaussian(Random random, double norm)
    {
        var vector = new float[Dimensions];
        for (var i = 0; i < Dimensions; i++)
        {
            vector[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) * norm / Math.Sqrt(Dimensions));
        }

        return vector;
    }

    private static float[] Add(float[] a, float[] b) => a.Select((v, i) => v + b[i]).ToArray();

    private static float[] Scale(float[] a, double factor) => a.Select(v => (float)(v * factor)).ToArray();

    private static float[] Normalize(float[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return vector.Select(v => (float)(v / norm)).ToArray();
    }
}
