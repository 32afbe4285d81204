using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Pipeline.StandInModels.Ocr;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>
/// The original system's README query, "고슴도치 사진을 찾아 줘." ("find me the hedgehog photo"), typed into the API and the
/// search page of an API whose query tower is M-CLIP's multilingual one (a stand-in, <c>Models:QueryEmbedder</c>). The
/// sign's text was read by a Korean OCR set (PP-OCRv4's detector, a stand-in Korean recogniser reading
/// "고슴도치가 풀밭에 있다"): the full-text half finds it, the vector half runs through M-CLIP, every hit says stand-in.
/// </summary>
public sealed class MultilingualSearchTests(PipelineServices services)
{
    private const string SeedQuery = "고슴도치 사진을 찾아 줘.";
    private const string SignText = "고슴도치가 풀밭에 있다";

    [Fact]
    public async Task TheSeedsKoreanRequestFindsTheSignThroughTheApiAndThePage()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var ocr = KoreanOcrSet();
        await using var run = await ApiRun.StartAsync(
            services,
            cancellationToken,
            api: new Dictionary<string, string?> { ["Models:QueryEmbedder:Path"] = services.StandInMClipFolder },
            worker: new Dictionary<string, string?> { ["Ocr:Path"] = ocr.Path, ["Ocr:Language"] = "korean" });
        run.Factory.UseKestrel(0);
        run.Factory.StartServer();
        var address = run.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = run.ClientFor("minji");
        using (var described = await client.PostFormAsync(
            "/v1/describe/batch",
            [("sign.png", Pictures.Sign("HEDGEHOG")), ("meadow.png", Pictures.Photo(60, 640, 480)), ("lake.jpg", Pictures.Photo(61, 480, 640))],
            ["hedgehog-sign", "meadow", "lake"],
            cancellationToken))
        {
            await described.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        using var search = await client.GetAsync("/v1/search?q=" + Uri.EscapeDataString(SeedQuery), cancellationToken);
        var found = await search.JsonAsync(HttpStatusCode.OK, cancellationToken);
        var hits = found.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal("hedgehog-sign", hits[0].Text("id"));
        Assert.Contains(SignText, hits[0].Text("ocrText"));
        Assert.True(hits[0].GetProperty("textRank").GetDouble() > 0);
        Assert.Equal(["hedgehog-sign", "lake", "meadow"], hits.Select(h => h.Text("id")).Order());
        // Every picture was reached by the vector half too (through M-CLIP), and every hit says its models are stand-ins.
        Assert.All(hits, hit => Assert.Equal(JsonValueKind.Number, hit.GetProperty("similarity").ValueKind));
        Assert.All(hits, hit => Assert.True(hit.GetProperty("standInModels").GetBoolean()));
        Assert.Equal("stand-in/clip-vit-base-patch32", found.Text("embeddingModelId"));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(90_000);
        await page.GotoAsync(address);
        await page.FillAsync("#owner", "minji");
        await page.PressAsync("#owner", "Tab");
        await page.FillAsync("#query", SeedQuery);
        await page.PressAsync("#query", "Enter");
        await page.WaitForFunctionAsync($"() => document.querySelector('#status').textContent.includes('for “{SeedQuery}”')");
        // The owner's newest pictures were listed before the query: wait until the query's hits replace them.
        await page.WaitForFunctionAsync(
            $"() => document.querySelector('#results li .alt')?.textContent.includes('{SignText}')", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        var first = page.Locator("#results li").First;
        Assert.Contains(SignText, await first.Locator(".alt").InnerTextAsync());
        Assert.Equal("STAND-IN MODEL", await first.Locator(".stand-in").InnerTextAsync());
        Assert.Equal(3, await page.Locator("#results li .stand-in").CountAsync());
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "search-page")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "korean-query.png"), FullPage = true });
    }

    /// <summary>PP-OCRv4's real detector and classifier beside a stand-in Korean recogniser and dictionary, in PaddleOCR's naming.</summary>
    private static TempFolder KoreanOcrSet()
    {
        var folder = new TempFolder();
        foreach (var file in new[] { "ch_PP-OCRv4_det_infer.onnx", "ch_ppocr_mobile_v2.0_cls_infer.onnx" })
        {
            File.Copy(Path.Combine(PipelineServices.OcrModelFolder, file), Path.Combine(folder.Path, file));
        }

        OcrRecognizerStandIn.Write(folder.Path, new OcrRecognizerStandInOptions("korean", Dictionary: "가고도밭슴에있치풀다 ", Reading: SignText));
        return folder;
    }
}
