using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>Requests as a client of the API would make them, and reading its answers.</summary>
public static class ApiCalls
{
    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, byte[] bytes, string contentType, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return client.PostAsync(path, content, cancellationToken);
    }

    /// <summary>A multipart form with one 'file' part per image and, when given, one 'id' field per image.</summary>
    public static Task<HttpResponseMessage> PostFormAsync(
        this HttpClient client, string path, IReadOnlyList<(string FileName, byte[] Bytes)> files, IReadOnlyList<string>? ids, CancellationToken cancellationToken)
    {
        var form = new MultipartFormDataContent();
        foreach (var (fileName, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", fileName);
        }

        foreach (var id in ids ?? [])
        {
            form.Add(new StringContent(id), "id");
        }

        return client.PostAsync(path, form, cancellationToken);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    /// <summary>An RFC 9457 problem document with the expected status, as its content type says.</summary>
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var problem = await response.JsonAsync(expected, cancellationToken);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Polls the image's status URL until it has a result (200), as a client after a 202 would.</summary>
    public static async Task<JsonElement> WaitForResultAsync(this HttpClient client, string statusUrl, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            using var response = await client.GetAsync(statusUrl, cancellationToken);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.JsonAsync(HttpStatusCode.OK, cancellationToken);
            }

            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{statusUrl} answered {(int)response.StatusCode} while pending");
            Assert.True(DateTime.UtcNow < deadline, $"{statusUrl} still pending after 120 s");
            await Task.Delay(200, cancellationToken);
        }
    }

    public static string? Text(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
