using Microsoft.Playwright;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright (which cannot download its own browser here). <c>./build.sh setup</c>
/// installs the <c>chromium</c> package; <c>NEXUS_CHROMIUM</c> may name another binary. A missing browser fails the
/// tests with a message saying how to install it — they never skip.</summary>
public static class Chromium
{
    public static string ExecutablePath
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("NEXUS_CHROMIUM");
            if (string.IsNullOrWhiteSpace(path)) path = "/usr/bin/chromium";
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"No Chromium at {path}: the dashboard's browser tests drive Debian's chromium. Run ./build.sh setup (apt-get install chromium), or set NEXUS_CHROMIUM to a Chromium binary.");
            }
            return path;
        }
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        // Never let Playwright try to fetch a browser build of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Tests run as root on CI, where Chromium's sandbox cannot start; /dev/shm is small in containers.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return (playwright, browser);
    }
}
