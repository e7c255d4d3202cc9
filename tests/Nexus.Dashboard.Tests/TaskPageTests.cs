using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The task pages in a real browser: list, filters, keyset paging, detail, the single-task actions, bulk retry
/// with its count, and what is shown of hostile text.</summary>
public sealed class TaskPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task List_FiltersByTagAndState_AndPagesByKeyset()
    {
        var queue = Unique("list-");
        var tag = Unique("t");
        await fixture.PauseAsync(queue);
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await fixture.SubmitAsync("test.ok", new { echo = $"n{i}" }, queue, [tag]));
        await fixture.SubmitAsync("test.ok", new { echo = "other" }, queue, ["other"]);

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks?queue={queue}&tag={tag}&limit=3");
        var rows = page.Locator("#task-list tr[data-task]");
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal([ids[6], ids[5], ids[4]], await TaskIdsAsync(page));

        await page.ClickAsync("a[rel=next]");
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal([ids[3], ids[2], ids[1]], await TaskIdsAsync(page));
        await page.ClickAsync("a[rel=next]");
        await Expect(rows).ToHaveCountAsync(1);
        Assert.Equal([ids[0]], await TaskIdsAsync(page));
        await Expect(page.Locator("a[rel=next]")).ToHaveCountAsync(0);

        // The filter form: state dead matches none of them; the other tag matches the one other task.
        await page.GotoAsync($"/tasks?queue={queue}");
        await page.SelectOptionAsync("select[name=state]", "dead");
        await page.ClickAsync("form.filters button[type=submit]");
        await Expect(page.Locator("#task-list")).ToContainTextAsync("No tasks match.");
        Assert.Contains("state=dead", page.Url, StringComparison.Ordinal);
        await page.GotoAsync($"/tasks?queue={queue}&tag=other");
        await Expect(rows).ToHaveCountAsync(1);

        // The search inside args: the value at a JSON path, typed into the filter form.
        await page.GotoAsync($"/tasks?queue={queue}");
        await page.FillAsync("input[name=argsPath]", "echo");
        await page.FillAsync("input[name=argsValue]", "n3");
        await page.ClickAsync("form.filters button[type=submit]");
        await Expect(rows).ToHaveCountAsync(1);
        Assert.Equal([ids[3]], await TaskIdsAsync(page));
        var bad = await page.GotoAsync($"/tasks?queue={queue}&argsPath=a..b&argsValue=1");
        Assert.Equal(400, bad!.Status);
        await Expect(page.Locator("ul.error")).ToContainTextAsync("args.path:");
    }

    [Fact]
    public async Task RetryWithEditedArgs_RunsTheTaskAgainWithThem_AndBadArgsAreNamed()
    {
        var id = await fixture.SubmitAsync("test.fail", new { message = "first args" });
        await fixture.WaitForStateAsync(id, "dead");
        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{id}");

        // Args the plugin's schema refuses: 400 naming the field, nothing retried, the typed text kept.
        await page.ClickAsync("details.retry-edited summary");
        await page.FillAsync("details.retry-edited textarea[name=args]", """{"message": 5}""");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("details.retry-edited button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        await Expect(page.Locator("p.error")).ToContainTextAsync("args.message");
        await Expect(page.Locator("details.retry-edited textarea[name=args]")).ToHaveValueAsync("""{"message": 5}""");
        Assert.Equal("dead", await fixture.StateAsync(id));

        await page.FillAsync("details.retry-edited textarea[name=args]", """{"message": "second args"}""");
        await page.ClickAsync("details.retry-edited button[type=submit]");
        await page.UntilUrlAsync(url => url.Contains("done=retried", StringComparison.Ordinal));
        Assert.Equal("dead", await fixture.WaitForStateAsync(id, "dead"));
        await page.ReloadAsync();
        await Expect(page.Locator(".error-message").Last).ToHaveTextAsync("second args");
        await Expect(page.Locator("#task-detail pre.json").First).ToContainTextAsync("second args");
    }

    [Fact]
    public async Task BadFilter_IsAnswered400NamingTheField()
    {
        var page = await fixture.SignedInAsync();
        var response = await page.GotoAsync("/tasks?state=sleeping&before=abc");

        Assert.Equal(400, response!.Status);
        await Expect(page.Locator("ul.error")).ToContainTextAsync("state: must be one of");
        await Expect(page.Locator("ul.error")).ToContainTextAsync("before: must be a task id");
    }

    [Fact]
    public async Task Detail_ShowsArgsTagsAndErrors_AsText_NeverAsMarkup()
    {
        const string hostile = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
        var id = await fixture.SubmitAsync("test.fail", new { message = hostile }, tags: ["<b>bold</b>", "<script>window.__xss = 3</script>"]);
        await fixture.WaitForStateAsync(id, "dead");

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{id}");

        await Expect(page.Locator(".error-message")).ToHaveTextAsync(hostile);
        await Expect(page.Locator("pre.json").First).ToContainTextAsync("<script>window.__xss = 1</script>");
        await Expect(page.Locator("dl.facts .tag").Nth(1)).ToHaveTextAsync("<script>window.__xss = 3</script>");
        Assert.Equal(0, await page.Locator("#task-detail script, #task-detail img, #task-detail b").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("typeof window.__xss === 'undefined'"));
        await page.GotoAsync("/dead-letters");
        await Expect(page.Locator($"tr[data-task='{id}']")).ToContainTextAsync("<b>bold</b>");
        Assert.True(await page.EvaluateAsync<bool>("typeof window.__xss === 'undefined'"));
    }

    [Fact]
    public async Task Detail_CancelsRetriesAndDeletes()
    {
        var queue = Unique("act-");
        await fixture.PauseAsync(queue);
        var id = await fixture.SubmitAsync("test.ok", new { echo = "x" }, queue, runAt: DateTimeOffset.UtcNow.AddHours(1));
        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{id}");
        await Expect(page.Locator("dl.facts .state")).ToHaveTextAsync("scheduled");

        await page.ClickAsync("button[value=cancel]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Cancelled.");
        Assert.Equal("cancelled", await fixture.StateAsync(id));

        await page.ClickAsync("button[value=retry]");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Retried");
        Assert.Equal("available", await fixture.StateAsync(id));

        await page.ClickAsync("button[value=delete]");
        await page.UntilUrlAsync(url => url.Contains("/tasks?done=deleted", StringComparison.Ordinal));
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Deleted 1 task.");
        Assert.Null(await fixture.StateAsync(id));
        var gone = await page.GotoAsync($"/tasks/{id}");
        Assert.Equal(404, gone!.Status);
        await Expect(page.Locator("main .error")).ToHaveTextAsync($"No task with id {id}."); // the page's own message, not the host's empty problem+json
    }

    [Fact]
    public async Task BulkRetry_ShowsTheCountFirst_ThenRetriesExactlyThoseTasks()
    {
        var queue = Unique("bulk-");
        var tag = Unique("b");
        var matching = new List<long>();
        for (var i = 0; i < 4; i++) matching.Add(await fixture.SubmitAsync("test.fail", new { message = "boom" }, queue, [tag]));
        var untagged = await fixture.SubmitAsync("test.fail", new { message = "boom" }, queue);
        foreach (var id in matching.Append(untagged)) await fixture.WaitForStateAsync(id, "dead");
        await fixture.PauseAsync(queue); // retried tasks then stay available, where the test can see them

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/dead-letters?queue={queue}&tag={tag}");
        await Expect(page.Locator("#task-list tr[data-task]")).ToHaveCountAsync(4);
        await page.ClickAsync("text=Retry…");

        await Expect(page.Locator("form.confirm .bulk-count")).ToHaveTextAsync("4");
        foreach (var id in matching) Assert.Equal("dead", await fixture.StateAsync(id)); // nothing happened before confirming
        await page.ClickAsync("form.confirm button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Retried 4 tasks.");
        foreach (var id in matching) Assert.Equal("available", await fixture.StateAsync(id));
        Assert.Equal("dead", await fixture.StateAsync(untagged));
        await Expect(page.Locator("#task-list")).ToContainTextAsync("No tasks match.");
    }

    [Fact]
    public async Task BulkDelete_CountsAndDeletesTheMatchingTasks()
    {
        var queue = Unique("del-");
        await fixture.PauseAsync(queue);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++) ids.Add(await fixture.SubmitAsync("test.ok", new { echo = "x" }, queue));

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks?queue={queue}&bulk=delete");
        await Expect(page.Locator("form.confirm .bulk-count")).ToHaveTextAsync("3");
        await page.ClickAsync("form.confirm button[type=submit]");

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Deleted 3 tasks.");
        foreach (var id in ids) Assert.Null(await fixture.StateAsync(id));
    }

    [Fact]
    public async Task Detail_UpdatesLive_WhenTheTaskRuns()
    {
        var queue = Unique("live-");
        await fixture.PauseAsync(queue);
        var id = await fixture.SubmitAsync("test.ok", new { echo = "<live>" }, queue);
        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/tasks/{id}");
        await Expect(page.Locator("#task-detail dl.facts .state")).ToHaveTextAsync("available");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        (await fixture.Admin.PostAsync($"/api/v1/queues/{queue}/resume", null)).EnsureSuccessStatusCode();

        // No reload: live.js refetches the page and swaps the live region in place.
        await Expect(page.Locator("#task-detail dl.facts .state")).ToHaveTextAsync("succeeded", new() { Timeout = 30_000 });
        await Expect(page.Locator("#task-detail pre.json").Nth(1)).ToContainTextAsync("\"<live>\"");
        Assert.Equal(0, navigations);
        Assert.Equal("live", await page.Locator("body").GetAttributeAsync("data-live-state"));
    }

    private static async Task<List<long>> TaskIdsAsync(IPage page) =>
        [.. (await page.Locator("#task-list tr[data-task]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.task)")).Select(long.Parse)];
}
