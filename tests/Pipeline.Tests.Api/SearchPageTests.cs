using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Pipeline.StandInModels.Florence;
using Pipeline.Tests.Api.Infrastructure;

namespace Pipeline.Tests.Api;

/// <summary>The search page in a real headless Chromium against the API on a real Kestrel server: pictures, not JSON.</summary>
public sealed class SearchPageTests(PipelineServices services)
{
    private const string AllThumbnailsLoaded =
        "() => { const images = [...document.querySelectorAll('#results img')]; " +
        "return images.length > 0 && images.every(image => image.complete && image.naturalWidth > 0); }";

    [Fact]
    public async Task TypingAQueryShowsThumbnailsWithAltTextAndAClickShowsTheDetails()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var run = await ApiRun.StartAsync(services, cancellationToken, worker: new Dictionary<string, string?>
        {
            ["Ocr:Path"] = PipelineServices.OcrModelFolder,
        });
        run.Factory.UseKestrel(0);
        run.Factory.StartServer();
        var address = run.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using (var described = await run.ClientFor("hana").PostFormAsync(
            "/v1/describe/batch",
            [("sign.png", Pictures.Sign("HEDGEHOG", "CROSSING")), ("meadow.png", Pictures.Photo(50, 640, 480)), ("lake.jpg", Pictures.Photo(51, 480, 640))],
            ["hedgehog-sign", "meadow", "lake"],
            cancellationToken))
        {
            await described.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // The whole suite shares two cores: give slow moments room rather than fail on Playwright's 30 s default.
        page.SetDefaultTimeout(90_000);
        await page.GotoAsync(address);

        await page.FillAsync("#owner", "hana");
        await page.PressAsync("#owner", "Tab");
        await page.WaitForFunctionAsync(AllThumbnailsLoaded);
        Assert.Equal(3, await page.Locator("#results li").CountAsync());

        await page.FillAsync("#query", "hedgehog crossing");
        await page.PressAsync("#query", "Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent.includes('for “hedgehog crossing”')");
        await page.WaitForFunctionAsync(AllThumbnailsLoaded);
        var first = page.Locator("#results li").First;
        Assert.Contains("Text: \"HEDGEHOG\", \"CROSSING\".", await first.Locator(".alt").InnerTextAsync());
        Assert.StartsWith("score ", await first.Locator(".score").InnerTextAsync());
        Assert.Contains("HEDGEHOG", await first.Locator("img").GetAttributeAsync("alt"));
        Assert.Equal(256, await first.Locator("img").EvaluateAsync<int>("image => image.naturalWidth"));
        Assert.Equal("STAND-IN MODEL", await first.Locator(".stand-in").InnerTextAsync());
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "search-page")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "results.png"), FullPage = true });

        await first.Locator("button").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#details').open && document.querySelector('#details-image').naturalWidth > 0");
        Assert.Equal("hedgehog-sign", await page.InnerTextAsync("#details-title"));
        Assert.Equal("HEDGEHOG\nCROSSING", await page.InnerTextAsync("#details-ocr"));
        Assert.Contains("ocr", await page.InnerTextAsync("#details-timings"));
        Assert.Contains("640×340 uploaded", await page.InnerTextAsync("#details-size"));
        Assert.True(await page.IsVisibleAsync("#details-stand-in"));
        var details = Path.Combine(folder, "details.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = details, FullPage = true });
        TestContext.Current.SendDiagnosticMessage($"Search page screenshots: {folder}");
    }

    [Fact]
    public async Task AFlorencePictureShowsItsLongDescriptionAndItsObjectsBoxedOverThePicture()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var model = new TempFolder();
        FlorenceStandIn.Write(model.Path, new FlorenceStandInOptions());
        await using var run = await ApiRun.StartAsync(services, cancellationToken, worker: new Dictionary<string, string?>
        {
            ["Captioning:Backend"] = "Florence",
            ["Models:Florence:Path"] = model.Path,
            ["Models:Florence:Variant"] = "fp32",
            ["Models:Florence:MaxNewTokens"] = "40",
        });
        run.Factory.UseKestrel(0);
        run.Factory.StartServer();
        var address = run.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using (var described = await run.ClientFor("mina").PostFormAsync(
            "/v1/describe/batch", [("street.jpg", Pictures.Photo(52, 800, 600))], ["street"], cancellationToken))
        {
            await described.JsonAsync(HttpStatusCode.OK, cancellationToken);
        }

        var image = await (await run.ClientFor("mina").GetAsync("/v1/images/street", cancellationToken)).JsonAsync(HttpStatusCode.OK, cancellationToken);
        var objects = image.GetProperty("objects").GetArrayLength();
        Assert.True(objects > 0, "the stand-in found no objects");
        var label = image.GetProperty("objects")[0].GetProperty("label").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browser.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.SetDefaultTimeout(90_000);
        await page.GotoAsync(address);
        await page.FillAsync("#owner", "mina");
        await page.PressAsync("#owner", "Tab");
        // An object's label finds its picture.
        await page.FillAsync("#query", label);
        await page.PressAsync("#query", "Enter");
        await page.WaitForFunctionAsync(AllThumbnailsLoaded);
        await page.Locator("#results li").First.Locator("button").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('#details').open && document.querySelector('#details-image').naturalWidth > 0");

        Assert.Equal("street", await page.InnerTextAsync("#details-title"));
        Assert.Equal(image.GetProperty("longDescription").GetString(), await page.InnerTextAsync("#details-long"));
        Assert.Equal("details-long", await page.Locator("#details-image").GetAttributeAsync("aria-describedby"));
        Assert.Equal(objects, await page.Locator("#details-boxes rect").CountAsync());
        Assert.Equal("0 0 800 600", await page.Locator("#details-boxes").GetAttributeAsync("viewBox"));
        Assert.Contains(label, await page.InnerTextAsync("#details-objects"));
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "search-page")).FullName;
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, "florence-details.png"), FullPage = true });
        TestContext.Current.SendDiagnosticMessage($"Florence details screenshot: {folder}");
    }
}
