using System.Net;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>
/// One id rule everywhere, any script: a Korean owner uploads a picture under a Korean id with a folder and a space; the
/// same id (and the same name as macOS writes it, decomposed) reads it back and finds its neighbours.
/// </summary>
public sealed class UnicodeIdTests(PipelineServices services)
{
    private const string Id = "여름/고슴도치 사진.png";

    // "여름/고슴도치 사진.png" with every syllable as its jamo (NFD), as a macOS file name.
    private const string Decomposed =
        "\u110B\u1167\u1105\u1173\u11B7/\u1100\u1169\u1109\u1173\u11B7\u1103\u1169\u110E\u1175 \u1109\u1161\u110C\u1175\u11AB.png";

    [Fact]
    public async Task AKoreanIdIsStoredReadBackAndFoundInEitherUnicodeForm()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);
        var client = run.ClientFor("하나");

        using (var described = await client.PostFormAsync("/v1/describe/batch", [("a.png", Pictures.Photo(60)), ("b.png", Pictures.Photo(61))], [Decomposed, "바다"], cancellationToken))
        {
            var items = (await described.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal([Id, "바다"], items.Select(i => i.Text("id")));
        }

        foreach (var typed in new[] { Id, Decomposed })
        {
            using var read = await client.GetAsync($"/v1/images/{Uri.EscapeDataString(typed)}", cancellationToken);
            var image = await read.JsonAsync(HttpStatusCode.OK, cancellationToken);
            Assert.Equal((Id, "described"), (image.Text("id"), image.Text("status")));
        }

        using var similar = await client.GetAsync($"/v1/images/{Uri.EscapeDataString(Id)}/similar", cancellationToken);
        var hits = (await similar.JsonAsync(HttpStatusCode.OK, cancellationToken)).GetProperty("hits").EnumerateArray().Select(h => h.Text("id")).ToList();
        Assert.Equal(["바다"], hits);
    }

    [Fact]
    public async Task AnIdThatBreaksAUrlIsRefusedWithTheRule()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken);

        using var response = await run.ClientFor("하나").PostFormAsync("/v1/describe", [("a.png", Pictures.Photo(62))], ["사진#1"], cancellationToken);

        var problem = await response.JsonAsync(HttpStatusCode.BadRequest, cancellationToken);
        Assert.StartsWith("The image id '사진#1' is not valid: it must be 1–128 characters of any script", problem.Text("detail"), StringComparison.Ordinal);
    }
}
