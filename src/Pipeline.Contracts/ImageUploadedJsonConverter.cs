using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Contracts;

/// <summary>
/// Reads <see cref="ImageUploaded"/> so that only a message without a usable id is unreadable (the broker client parks
/// it: there is nothing to key a row or an event by). Anything else wrong — a source that is not an object, a field of
/// the wrong type, an owner that cannot be stored — is recorded in <see cref="ImageUploaded.Problems"/> and fails that
/// image with a reason, so every keyable message ends as a row. Writes the documented camelCase JSON.
/// </summary>
public sealed class ImageUploadedJsonConverter : JsonConverter<ImageUploaded>
{
    public override ImageUploaded Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"The message is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object: there is no imageId to key a result by.");
        }

        var imageId = Property(root, "imageId") is { ValueKind: JsonValueKind.String } id ? id.GetString() : null;
        if (string.IsNullOrWhiteSpace(imageId))
        {
            throw new JsonException("The message has no imageId: there is nothing to key a result by.");
        }

        if (StorageProblem(imageId, "imageId") is { } unusable)
        {
            throw new JsonException(unusable);
        }

        var problems = new List<string>();
        var ownerId = Storable(Text(root, "ownerId", problems), "ownerId", problems);
        var source = Source(root, problems);
        var contentHash = Text(root, "contentHash", problems);
        var task = Task(root, options, problems);
        var sourceVersion = Text(root, "sourceVersion", problems);
        if (sourceVersion is not null && StorageProblem(sourceVersion, "sourceVersion") is { } version)
        {
            problems.Add(version);
            sourceVersion = null;
        }

        // Ids in one Unicode form (NFC), whatever system the producer runs on (ImageIds).
        return new ImageUploaded(ImageIds.Normalize(imageId), ownerId is null ? null! : ImageIds.Normalize(ownerId), source!, contentHash, task, sourceVersion)
        {
            Problems = problems,
        };
    }

    public override void Write(Utf8JsonWriter writer, ImageUploaded value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString("imageId", value.ImageId);
        writer.WriteString("ownerId", value.OwnerId);
        writer.WritePropertyName("source");
        JsonSerializer.Serialize(writer, value.Source, options);
        writer.WriteString("contentHash", value.ContentHash);
        if (value.Task is not null)
        {
            writer.WritePropertyName("task");
            JsonSerializer.Serialize(writer, value.Task, options);
        }

        if (value.SourceVersion is not null)
        {
            writer.WriteString("sourceVersion", value.SourceVersion);
        }

        writer.WriteEndObject();
    }

    private static ImageSource? Source(JsonElement root, List<string> problems)
    {
        if (Property(root, "source") is not { } source || source.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (source.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"source is a JSON {source.ValueKind.ToString().ToLowerInvariant()}; it must be an object with a type ('blob', 'inline' or 'url').");
            return null;
        }

        var type = Text(source, "type", problems, "source.type") ?? "";
        if (type.Any(char.IsControl))
        {
            problems.Add("The message's source.type contains control characters.");
            type = "";
        }

        Uri? uri = null;
        if (Text(source, "uri", problems, "source.uri") is { } address && !Uri.TryCreate(address, UriKind.RelativeOrAbsolute, out uri))
        {
            problems.Add("source.uri is not a URI.");
        }

        return new ImageSource(type, uri, Text(source, "data", problems, "source.data"));
    }

    private static CaptionTask? Task(JsonElement root, JsonSerializerOptions options, List<string> problems)
    {
        if (Property(root, "task") is not { ValueKind: not JsonValueKind.Null } task)
        {
            return null;
        }

        try
        {
            return task.Deserialize<CaptionTask>(options);
        }
        catch (JsonException e)
        {
            problems.Add($"task is not readable: {e.Message}");
            return null;
        }
    }

    /// <summary>A string property; null when absent or JSON null; a problem (and null) when it is another type.</summary>
    private static string? Text(JsonElement parent, string name, List<string> problems, string? path = null)
    {
        switch (Property(parent, name))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.String } text:
                return text.GetString();
            case { } other:
                problems.Add($"{path ?? name} is a JSON {other.ValueKind.ToString().ToLowerInvariant()}; it must be a string.");
                return null;
        }
    }

    /// <summary>The value as the database and events can hold it: control characters out, at most the column's size.</summary>
    private static string? Storable(string? value, string name, List<string> problems)
    {
        if (value is null || StorageProblem(value, name) is not { } problem)
        {
            return value;
        }

        problems.Add(problem);
        var printable = new string(value.Where(c => !char.IsControl(c)).ToArray());
        return printable.Length > ImageUploaded.MaxIdLength ? printable[..ImageUploaded.MaxIdLength] : printable;
    }

    // Control characters forge log lines and NUL cannot be stored in Postgres text.
    private static string? StorageProblem(string value, string name) =>
        value.Length > ImageUploaded.MaxIdLength
            ? $"The message's {name} has {value.Length} characters; at most {ImageUploaded.MaxIdLength} are allowed."
            : value.Any(char.IsControl)
                ? $"The message's {name} contains control characters."
                : null;

    /// <summary>Producers write camelCase; names are matched without regard to case, as the Web defaults read them.</summary>
    private static JsonElement? Property(JsonElement parent, string name)
    {
        if (parent.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in parent.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
