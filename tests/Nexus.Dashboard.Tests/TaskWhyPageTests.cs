using System.Net.Http.Json;
using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The "Why isn't it running?" section of the task detail page in a real browser: a paused queue and a plugin no
/// live worker serves, each named; a task that ran has no such section.</summary>
public sealed class TaskWhyPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task PausedQueue_IsShownAsTheReason_AndATaskThatRanShowsNone()
    {
        var queue = Unique("why-");
        await fixture.PauseAsync(queue);
        var held = await fixture.SubmitAsync("test.ok", new { echo = "held" }, queue);
        var ran = await fixture.SubmitAsync("test.ok", new { echo = "ran" });
        await fixture.WaitForStateAsync(ran, "succeeded");

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{held}");
        var why = page.Locator("#task-why");
        await Expect(why.Locator("h2")).ToHaveTextAsync("Why isn't it running?");
        await Expect(why.Locator("li[data-code]")).ToHaveCountAsync(1);
        await Expect(why.Locator("li[data-code=queue-paused]")).ToContainTextAsync($"Queue '{queue}' is paused");

        await page.GotoAsync($"/tasks/{ran}");
        await Expect(page.Locator("#task-detail")).ToBeVisibleAsync();
        await Expect(page.Locator("#task-why")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task PluginNoLiveWorkerServes_IsShownAsTheReason()
    {
        // An external worker declares its plugin and leaves: the declaration stays (submits are accepted), nobody runs it.
        var tag = Guid.NewGuid().ToString("N")[..8];
        var plugin = $"w{tag}.echo";
        var worker = $"/api/v1/workers/w-{tag}";
        var declared = await fixture.Admin.PutAsJsonAsync(worker, new
        {
            plugins = new[] { new { name = plugin, queue = "ext-" + tag, argsSchema = new { type = "object" } } },
            concurrency = 1,
        });
        Assert.True(declared.IsSuccessStatusCode, await declared.Content.ReadAsStringAsync());
        (await fixture.Admin.DeleteAsync(worker)).EnsureSuccessStatusCode();
        var id = await fixture.SubmitAsync(plugin, new { }, "ext-" + tag);

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{id}");
        var reason = page.Locator("#task-why li[data-code=no-worker]");
        await Expect(reason).ToContainTextAsync($"No live node or worker runs plugin '{plugin}' for queue 'ext-{tag}'.");
        await Expect(page.Locator("#task-why li[data-code]")).ToHaveCountAsync(1);
    }
}
