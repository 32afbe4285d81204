using System.Text.Json;
using Pipeline.Contracts;

namespace Pipeline.Tests.Unit.Contracts;

/// <summary>The raw JSON that producers in other systems publish (camelCase, bytes as base64).</summary>
public sealed class ImageUploadedJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void InlineSourceSerialisesAsDocumentedJson()
    {
        var message = new ImageUploaded("img-1", "owner-7", ImageSource.Inline([1, 2, 3, 250]));

        var json = JsonSerializer.Serialize(message, Web);

        // The default encoder writes '+' as \u002B: the same JSON string to every reader.
        Assert.Equal(
            """{"imageId":"img-1","ownerId":"owner-7","source":{"type":"inline","uri":null,"data":"AQID\u002Bg=="},"contentHash":null}""",
            json);
        Assert.Equal("AQID+g==", JsonDocument.Parse(json).RootElement.GetProperty("source").GetProperty("data").GetString());
    }

    [Fact]
    public void DocumentedInlineJsonDeserialises()
    {
        const string json = """
            {
              "imageId": "img-2",
              "ownerId": "owner-7",
              "source": { "type": "inline", "data": "iVBORw0KGgo=" },
              "contentHash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            }
            """;

        var message = JsonSerializer.Deserialize<ImageUploaded>(json, Web);

        Assert.NotNull(message);
        Assert.Equal(("img-2", "owner-7"), (message.ImageId, message.OwnerId));
        Assert.Equal(ImageSourceTypes.Inline, message.Source.Type);
        Assert.Null(message.Source.Uri);
        Assert.Equal("iVBORw0KGgo=", message.Source.Data);
        Assert.Empty(message.Problems);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", message.ContentHash);
    }

    [Fact]
    public void ATaskDeserialisesWithItsPromptAndLabels()
    {
        const string json = """
            {
              "imageId": "img-3", "ownerId": "owner-7", "source": { "type": "inline", "data": "iVBORw0KGgo=" },
              "task": { "kind": "classify", "prompt": "Consider the main subject.", "labels": ["cat", "dog"] }
            }
            """;

        var task = JsonSerializer.Deserialize<ImageUploaded>(json, Web)!.Task;

        Assert.Equal(CaptionTaskKinds.Classify, task?.Kind);
        Assert.Equal("Consider the main subject.", task?.Prompt);
        Assert.Equal(["cat", "dog"], task?.Labels);
    }

    [Theory]
    [InlineData("""{"ownerId": "o", "source": {"type": "inline", "data": ""}}""", "no imageId")]
    [InlineData("""{"imageId": "  ", "ownerId": "o", "source": {"type": "inline", "data": ""}}""", "no imageId")]
    [InlineData("""{"imageId": 17, "ownerId": "o", "source": {"type": "inline", "data": ""}}""", "no imageId")]
    [InlineData("""{"imageId": "a\nb", "ownerId": "o", "source": {"type": "inline", "data": ""}}""", "imageId contains control characters")]
    [InlineData("""["not", "an", "object"]""", "not an object")]
    public void MessagesWithoutAUsableKeyAreRefusedWhileRead(string json, string says)
    {
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ImageUploaded>(json, Web));

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnImageIdLongerThanTheDatabaseKeyIsRefusedWhileRead()
    {
        var json = $$$"""{"imageId": "{{{new string('x', ImageUploaded.MaxIdLength + 1)}}}", "ownerId": "o", "source": {"type": "inline", "data": ""}}""";

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ImageUploaded>(json, Web));

        Assert.Contains("imageId has 201 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"imageId": "a", "ownerId": "o\u0000", "source": {"type": "inline", "data": ""}}""", "The message's ownerId contains control characters.")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": {"type": "inl\u0000ine", "data": ""}}""", "The message's source.type contains control characters.")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": "inline"}""", "source is a JSON string; it must be an object with a type ('blob', 'inline' or 'url').")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": {"type": "inline", "data": 12345}}""", "source.data is a JSON number; it must be a string.")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": {"type": "blob", "uri": ["x"]}}""", "source.uri is a JSON array; it must be a string.")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": {"type": "inline", "data": ""}, "contentHash": 42}""", "contentHash is a JSON number; it must be a string.")]
    [InlineData("""{"imageId": "a", "ownerId": "o", "source": {"type": "inline", "data": ""}, "sourceVersion": "0x8D\u0000"}""", "The message's sourceVersion contains control characters.")]
    public void AKeyableMessageWithAnUnusableFieldIsReadWithItsProblemSoThatItsImageFails(string json, string problem)
    {
        var message = JsonSerializer.Deserialize<ImageUploaded>(json, Web);

        Assert.NotNull(message);
        Assert.Equal("a", message.ImageId);
        Assert.Equal([problem], message.Problems);
    }

    [Fact]
    public void AnOwnerThatCannotBeStoredIsCutToTheColumnAndNamedAsAProblem()
    {
        var json = $$$"""{"imageId": "a", "ownerId": "{{{new string('o', ImageUploaded.MaxIdLength + 1)}}}", "source": {"type": "inline", "data": ""}}""";

        var message = JsonSerializer.Deserialize<ImageUploaded>(json, Web)!;

        Assert.Equal(ImageUploaded.MaxIdLength, message.OwnerId.Length);
        Assert.Equal(["The message's ownerId has 201 characters; at most 200 are allowed."], message.Problems);
    }

    [Fact]
    public void AMessageWithoutOwnerIsReadSoThatItsImageFailsWithAReason()
    {
        var message = JsonSerializer.Deserialize<ImageUploaded>("""{"imageId": "a", "source": {"type": "inline", "data": ""}}""", Web);

        Assert.NotNull(message);
        Assert.Null(message.OwnerId);
    }

    [Fact]
    public void BlobSourceRoundTripsItsUri()
    {
        var uri = new Uri("https://account.blob.core.windows.net/uploads/2024/cat%20photo.jpg");
        var message = new ImageUploaded("img-3", "owner-7", ImageSource.Blob(uri));

        var json = JsonSerializer.Serialize(message, Web);
        var back = JsonSerializer.Deserialize<ImageUploaded>(json, Web);

        Assert.Contains("\"type\":\"blob\"", json, StringComparison.Ordinal);
        Assert.NotNull(back);
        Assert.Equal(ImageSourceTypes.Blob, back.Source.Type);
        Assert.Equal(uri, back.Source.Uri);
        Assert.Null(back.Source.Data);
    }

    [Fact]
    public void DocumentedUrlJsonDeserialises()
    {
        const string json = """{"imageId": "img-4", "ownerId": "owner-7", "source": {"type": "url", "uri": "https://images.example.com/cats/cat.png?size=large"}}""";

        var message = JsonSerializer.Deserialize<ImageUploaded>(json, Web);

        Assert.NotNull(message);
        Assert.Equal(ImageSource.Url(new Uri("https://images.example.com/cats/cat.png?size=large")), message.Source);
    }

    [Fact]
    public void ASourceVersionTravelsWhenPresentAndIsLeftOutWhenAbsent()
    {
        var uri = new Uri("http://127.0.0.1:10000/devstoreaccount1/photos/alice/cat.png");
        var versioned = new ImageUploaded("blob:photos/alice/cat.png", "alice", ImageSource.Blob(uri), SourceVersion: "0x8DC4B2F7A1E3C55");

        var json = JsonSerializer.Serialize(versioned, Web);
        var back = JsonSerializer.Deserialize<ImageUploaded>(json, Web);

        Assert.Contains("\"sourceVersion\":\"0x8DC4B2F7A1E3C55\"", json, StringComparison.Ordinal);
        Assert.Equal(versioned, back);
        Assert.DoesNotContain("sourceVersion", JsonSerializer.Serialize(versioned with { SourceVersion = null }, Web), StringComparison.Ordinal);
    }
}
