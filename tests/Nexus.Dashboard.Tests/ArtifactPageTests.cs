using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The artifacts page: files under the artifacts root listed and downloaded with the dashboard's cookie;
/// refused to callers limited to queues, as the API refuses them.</summary>
public sealed class ArtifactPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Viewer_ListsAndDownloadsAFile()
    {
        var folder = "dash-" + Guid.NewGuid().ToString("N")[..6];
        Directory.CreateDirectory(Path.Combine(fixture.Server.ArtifactsRoot, folder));
        await File.WriteAllTextAsync(Path.Combine(fixture.Server.ArtifactsRoot, folder, "report.txt"), "hello artifacts");
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));

        await page.GotoAsync($"/artifacts?prefix={folder}/");
        var link = page.Locator($"tr[data-path='{folder}/report.txt'] a");
        await Expect(link).ToHaveCountAsync(1);
        var href = await link.GetAttributeAsync("href");
        var download = await page.APIRequest.GetAsync(href!);

        Assert.Equal(200, download.Status);
        Assert.Equal("hello artifacts", await download.TextAsync());
        Assert.Contains("sandbox", download.Headers["content-security-policy"], StringComparison.Ordinal);
        // Without the cookie, the download is not served.
        var anonymous = await fixture.NewPageAsync();
        var refused = await anonymous.APIRequest.GetAsync(href!, new() { MaxRedirects = 0 });
        Assert.Equal(302, refused.Status);
    }

    [Fact]
    public async Task QueueLimitedCaller_IsRefused()
    {
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer", "some-queue"));
        var response = await page.GotoAsync("/artifacts");

        Assert.Equal(403, response!.Status);
        await Expect(page.Locator(".error")).ToContainTextAsync("belong to no queue");
        var download = await page.APIRequest.GetAsync("/_dashboard/artifacts/anything.txt");
        Assert.Equal(403, download.Status);
    }
}
