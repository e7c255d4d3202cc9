using Microsoft.Playwright;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>Waits for where a page is by polling its URL. <c>WaitForURLAsync</c> checks the URL once and then waits for
/// a navigation event, so a navigation that commits between the two (a redirect chain after a click) is missed and it
/// times out on a page that is already there.</summary>
public static class PageUrls
{
    public static Task<string> UntilUrlAsync(this IPage page, Func<string, bool> matches, string? because = null) =>
        Nexus.Testing.Eventually.UntilAsync(() => Task.FromResult(page.Url), matches, timeout: TimeSpan.FromSeconds(30),
            because: because ?? "the page's URL");
}
