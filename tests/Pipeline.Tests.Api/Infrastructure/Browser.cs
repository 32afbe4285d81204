using Microsoft.Playwright;

namespace Pipeline.Tests.Api.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright's own driver (shipped in its NuGet package). Playwright's browser
/// download is never used: scripts/test.sh installs the chromium package.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        File.Exists(ChromiumPath)
            ? playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Tests run as root in CI, where Chromium's sandbox refuses to start.
                Args = ["--no-sandbox"],
            })
            : throw new InvalidOperationException($"No Chromium at {ChromiumPath}: apt-get install chromium (scripts/test.sh does).");
}
