using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>Who may see and do what: viewers see but cannot act, a queue-limited key sees only its queues, a post
/// without the anti-forgery token is refused, and a viewer's post with a valid token is refused too.</summary>
public sealed class AccessTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<long> DeadTaskAsync(string queue = "default")
    {
        var id = await fixture.SubmitAsync("test.fail", new { message = "boom" }, queue);
        await fixture.WaitForStateAsync(id, "dead");
        return id;
    }

    [Fact]
    public async Task Viewer_SeesTasksAndQueues_ButNoActions_AndItsForgedPostIsRefused()
    {
        var id = await DeadTaskAsync();
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));

        await page.GotoAsync($"/tasks/{id}");
        await Expect(page.Locator("dl.facts .state")).ToHaveTextAsync("dead");
        Assert.Equal(0, await page.Locator(".actions button").CountAsync());
        await page.GotoAsync("/dead-letters");
        await Expect(page.Locator($"tr[data-task='{id}']")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("text=Retry…").CountAsync());
        await page.GotoAsync("/queues");
        Assert.Equal(0, await page.Locator("#queue-list form").CountAsync());
        await Expect(page.Locator("header nav")).Not.ToContainTextAsync("API keys");

        // The viewer's own valid anti-forgery token (from the sign-out form), on a retry post it was never offered.
        var token = await page.Locator("header form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var response = await page.APIRequest.PostAsync($"/tasks/{id}", new APIRequestContextOptions
        {
            Form = FormOf(page, ("_handler", "retry"), ("__RequestVerificationToken", token!)),
        });
        // Refused: the retry form was never rendered for a viewer, so there is no such form to post to (400); and were
        // it there, its handler checks the manage right again (403).
        Assert.True(response.Status is 400 or 403, $"status {response.Status}");
        Assert.Equal("dead", await fixture.StateAsync(id));
    }

    [Fact]
    public async Task Post_WithoutTheAntiforgeryToken_IsRefused()
    {
        var queue = Unique("forge-");
        var id = await DeadTaskAsync(queue);
        await fixture.PauseAsync(queue); // a retried task then stays available instead of failing again
        var page = await fixture.SignedInAsync();

        var response = await page.APIRequest.PostAsync($"/tasks/{id}", new APIRequestContextOptions { Form = FormOf(page, ("_handler", "retry")) });

        Assert.Equal(400, response.Status);
        Assert.Equal("dead", await fixture.StateAsync(id));
        // The same post with the page's token goes through: the refusal was the token's.
        await page.GotoAsync($"/tasks/{id}");
        var token = await page.Locator("form:has(button[value=retry]) input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var accepted = await page.APIRequest.PostAsync($"/tasks/{id}", new APIRequestContextOptions
        {
            Form = FormOf(page, ("_handler", "retry"), ("__RequestVerificationToken", token!)),
            MaxRedirects = 0,
        });
        Assert.Equal(302, accepted.Status);
        Assert.Equal("available", await fixture.StateAsync(id));
    }

    [Fact]
    public async Task QueueLimitedKey_SeesOnlyItsQueue_OnEveryPage()
    {
        var mine = Unique("ten-a-");
        var theirs = Unique("ten-b-");
        await fixture.PauseAsync(mine);
        await fixture.PauseAsync(theirs);
        var myTask = await fixture.SubmitAsync("test.ok", new { echo = "mine" }, mine);
        var theirTask = await fixture.SubmitAsync("test.ok", new { echo = "theirs" }, theirs);
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator", mine));

        await page.GotoAsync("/tasks");
        Assert.Equal([myTask], await TaskIdsAsync(page));
        var forbidden = await page.GotoAsync($"/tasks?queue={theirs}");
        Assert.Equal(400, forbidden!.Status);
        await Expect(page.Locator("ul.error")).ToContainTextAsync("is not one of the queues you are limited to");
        var hidden = await page.GotoAsync($"/tasks/{theirTask}");
        Assert.Equal(404, hidden!.Status);

        await page.GotoAsync("/queues");
        await Expect(page.Locator("#queue-list tr[data-queue]")).ToHaveCountAsync(1);
        await Expect(page.Locator($"#queue-list tr[data-queue='{mine}']")).ToHaveCountAsync(1);
        await page.GotoAsync("/");
        await Expect(page.Locator("#overview")).Not.ToContainTextAsync(theirs);

        // A bulk delete is cut to the caller's queue: the other tenant's task survives.
        await page.GotoAsync("/tasks?bulk=delete");
        await Expect(page.Locator("form.confirm .bulk-count")).ToHaveTextAsync("1");
        await page.ClickAsync("form.confirm button[type=submit]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Deleted 1 task.");
        Assert.Null(await fixture.StateAsync(myTask));
        Assert.Equal("available", await fixture.StateAsync(theirTask));
    }

    [Fact]
    public async Task Operator_PausesResumesAndLimitsAQueue()
    {
        var queue = Unique("q-");
        await fixture.SubmitAsync("test.ok", new { echo = "x" }, queue, runAt: DateTimeOffset.UtcNow.AddHours(1));
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));
        await page.GotoAsync("/queues");
        var row = page.Locator($"#queue-list tr[data-queue='{queue}']");

        await row.Locator("button", new LocatorLocatorOptions { HasTextString = "Pause" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Paused.");
        Assert.True((await fixture.QueueAsync(queue)).GetProperty("paused").GetBoolean());

        await row.Locator("input[name=maxConcurrency]").FillAsync("3");
        await row.Locator("button", new LocatorLocatorOptions { HasTextString = "Save" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Limits saved.");
        Assert.Equal(3, (await fixture.QueueAsync(queue)).GetProperty("maxConcurrency").GetInt32());

        await row.Locator("button", new LocatorLocatorOptions { HasTextString = "Resume" }).ClickAsync();
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Resumed.");
        Assert.False((await fixture.QueueAsync(queue)).GetProperty("paused").GetBoolean());

        await row.Locator("input[name=maxConcurrency]").FillAsync("99999999999");
        await row.Locator("button", new LocatorLocatorOptions { HasTextString = "Save" }).ClickAsync();
        await Expect(page.Locator(".error")).ToContainTextAsync("maxConcurrency:");
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }

    private static async Task<List<long>> TaskIdsAsync(IPage page) =>
        [.. (await page.Locator("#task-list tr[data-task]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.task)")).Select(long.Parse)];
}
