using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The events, schedules and state pages in a real browser: what they show, their filters, live refresh,
/// their actions, namespace and queue limits, and hostile payloads and values shown as text.</summary>
public sealed class DataPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string Script = "<script>window.__xss=1</script>";
    private const string Img = "<img src=x onerror=\"window.__xss=2\">";

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await fixture.Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    private async Task<string> NamespaceAsync()
    {
        var ns = Unique("ns-");
        await SendAsync(HttpMethod.Post, "/api/v1/namespaces", new { name = ns });
        return ns;
    }

    private Task EmitAsync(string ns, string topic, object payload) =>
        SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/events", new { topic, payload });

    private async Task<string> KeyAsync(string role, string[] queues, string[] namespaces)
    {
        var text = await SendAsync(HttpMethod.Post, "/api/v1/keys", new { name = Unique("k-"), role, queues, namespaces });
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<List<string>> TopicsAsync(IPage page) =>
        [.. await page.Locator("#event-tail tr[data-position] td:nth-child(3)").AllInnerTextsAsync()];

    [Fact]
    public async Task Events_TailFiltersAndGrowsLive_HostilePayloadsStayText_AndANamespaceOutsideTheKeyIsNotFound()
    {
        var ns = await NamespaceAsync();
        await EmitAsync(ns, "orders.created", new { total = 5, note = Script });
        await EmitAsync(ns, "orders.created", new { total = 500, note = Img });
        await EmitAsync(ns, "users.joined", new { name = "ada" });
        var page = await fixture.SignedInAsync();

        await page.GotoAsync($"/events?ns={ns}");
        await Expect(page.Locator("ul.namespace-list")).ToContainTextAsync(ns);
        Assert.Equal(["users.joined", "orders.created", "orders.created"], await TopicsAsync(page));
        await Expect(page.Locator("#event-tail")).ToContainTextAsync(Script);
        await Expect(page.Locator("#event-tail")).ToContainTextAsync("onerror");
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__xss ?? null"));

        // Live: a new event shows without a reload.
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };
        await EmitAsync(ns, "users.left", new { name = "bob" });
        await Expect(page.Locator("#event-tail tr[data-position]")).ToHaveCountAsync(4, new() { Timeout = 30_000 });
        Assert.Equal("users.left", (await TopicsAsync(page))[0]);
        Assert.Equal(0, navigations);

        await page.GotoAsync($"/events?ns={ns}&pattern={Uri.EscapeDataString("users.*")}");
        Assert.Equal(["users.left", "users.joined"], await TopicsAsync(page));
        await page.GotoAsync($"/events?ns={ns}&filter={Uri.EscapeDataString("{\"payload.total\":{\"$gt\":100}}")}");
        Assert.Equal(["orders.created"], await TopicsAsync(page));
        await Expect(page.Locator("#event-tail")).ToContainTextAsync("500");

        var bad = await page.GotoAsync($"/events?ns={ns}&filter={Uri.EscapeDataString("{\"a\":{\"$regex\":1}}")}");
        Assert.Equal(400, bad!.Status);
        await Expect(page.Locator("main .error")).ToContainTextAsync("filter.a.$regex");

        var other = await NamespaceAsync();
        var limited = await fixture.SignedInAsync(await KeyAsync("viewer", [], [other]));
        var refused = await limited.GotoAsync($"/events?ns={ns}");
        Assert.Equal(404, refused!.Status);
        await Expect(limited.Locator("ul.namespace-list")).ToContainTextAsync(other);
        await Expect(limited.Locator("ul.namespace-list")).Not.ToContainTextAsync(ns);
        Assert.Equal(0, await limited.Locator("#event-tail").CountAsync());
    }

    [Fact]
    public async Task Subscriptions_ShowTheirCursorAndLag_AndAnOperatorReplays_AViewerCannot()
    {
        var ns = await NamespaceAsync();
        var queue = Unique("subq-");
        await fixture.PauseAsync(queue); // deliveries stay as tasks in the paused queue
        await EmitAsync(ns, "orders.created", new { total = 1 });
        await EmitAsync(ns, "orders.created", new { total = 2 });
        await SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/subscriptions", new
        {
            name = "to-ok", pattern = "orders.*", action = "plugin", target = "test.ok", queue,
            argsTemplate = new { echo = "${payload.total}" }, start = new { kind = "all" },
        });
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));

        await page.GotoAsync($"/events?ns={ns}");
        var row = page.Locator("#subscriptions tr[data-subscription='to-ok']");
        await Expect(row).ToContainTextAsync("orders.*");
        await Expect(row).ToContainTextAsync(queue);
        // The dispatcher delivers both events, and its cursor reaches the head: nothing behind (seen live).
        await Expect(row.Locator("td.lag")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
        var delivered = await TaskCountAsync(queue);
        Assert.Equal(2, delivered);

        var positions = (await page.Locator("#event-tail tr[data-position]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.position)")).Select(long.Parse).Order().ToList();
        await page.FillAsync("form.replay input[name=fromPosition]", positions[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("form.replay input[name=toPosition]", positions[^1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("form.replay button[type=submit]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Replayed: 2 deliveries made.");
        await Nexus.Testing.Eventually.UntilAsync(() => TaskCountAsync(queue), n => n == 4, because: "the replay to deliver both events again");

        var viewer = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));
        await viewer.GotoAsync($"/events?ns={ns}");
        await Expect(viewer.Locator("#subscriptions tr[data-subscription='to-ok']")).ToHaveCountAsync(1);
        Assert.Equal(0, await viewer.Locator("form.replay").CountAsync());
    }

    private async Task<int> TaskCountAsync(string queue)
    {
        using var doc = JsonDocument.Parse(await SendAsync(HttpMethod.Get, $"/api/v1/tasks?queue={queue}&limit=100"));
        return doc.RootElement.GetProperty("items").GetArrayLength();
    }

    [Fact]
    public async Task State_BrowsesByPrefix_ShowsHistory_AndDiffsTwoVersions_AsText()
    {
        var ns = await NamespaceAsync();
        await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/state/cart:1", new { value = new { count = 1, note = Img } });
        await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/state/cart:1", new { value = new { count = 2, note = Img } });
        await SendAsync(HttpMethod.Put, $"/api/v1/namespaces/{ns}/state/user:1", new { value = new { name = Script } });
        var page = await fixture.SignedInAsync();

        await page.GotoAsync($"/state?ns={ns}");
        Assert.Equal(["cart:1", "user:1"], await page.Locator("#state-keys tr[data-key] td:first-child").AllInnerTextsAsync());
        await page.GotoAsync($"/state?ns={ns}&prefix=user");
        Assert.Equal(["user:1"], await page.Locator("#state-keys tr[data-key] td:first-child").AllInnerTextsAsync());
        await page.ClickAsync("#state-keys a:text('user:1')");
        await Expect(page.Locator("#state-key pre.json")).ToContainTextAsync(Script);
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());

        await page.GotoAsync($"/state/key?ns={ns}&key=cart:1");
        await Expect(page.Locator("#state-key tr[data-version]")).ToHaveCountAsync(2);
        await page.CheckAsync("input[name=a][value='1']");
        await page.CheckAsync("input[name=b][value='2']");
        await page.ClickAsync("#state-key form button[type=submit]");
        await Expect(page.Locator("pre.diff .del")).ToHaveTextAsync("-   \"count\": 1,");
        await Expect(page.Locator("pre.diff .add")).ToHaveTextAsync("+   \"count\": 2,");
        await Expect(page.Locator("pre.diff")).ToContainTextAsync("onerror");
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__xss ?? null"));

        var missing = await page.GotoAsync($"/state/key?ns={ns}&key=cart:1&a=1&b=9");
        Assert.Equal(400, missing!.Status);
        await Expect(page.Locator("main .error")).ToContainTextAsync("b: the key has no version 9");

        var limited = await fixture.SignedInAsync(await KeyAsync("viewer", ["default"], []));
        var refused = await limited.GotoAsync($"/state/key?ns={ns}&key=cart:1");
        Assert.Equal(404, refused!.Status);
        Assert.Equal(0, await limited.Locator("#state-key").CountAsync());
    }

    [Fact]
    public async Task Schedules_ShowNextFires_PauseAndResume_AndQueueLimitsApply()
    {
        var name = Unique("nightly-");
        var queue = Unique("schq-");
        await SendAsync(HttpMethod.Put, $"/api/v1/schedules/{name}", new
        {
            cron = "0 3 1 1 *", description = Script,
            target = new { task = new { plugin = "test.ok", args = new { echo = "tick" }, queue } },
        });
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));

        await page.GotoAsync("/schedules");
        var row = page.Locator($"#schedule-list tr[data-schedule='{name}']");
        await Expect(row.Locator("td.next time")).ToHaveAttributeAsync("datetime", new System.Text.RegularExpressions.Regex(@"^\d{4}-01-01T03:00:00"));
        await Expect(row.Locator("td.status")).ToHaveTextAsync("active");

        await page.ClickAsync($"#schedule-list a:text('{name}')");
        await Expect(page.Locator("ol.next-fires li")).ToHaveCountAsync(5);
        await Expect(page.Locator("#schedule-detail dl.facts")).ToContainTextAsync(Script);
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        await page.FillAsync("input[name=reason]", "<b>maintenance</b>");
        await page.ClickAsync("button[value=pause]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Paused.");
        await Expect(page.Locator("#schedule-detail dd.status")).ToContainTextAsync("<b>maintenance</b>");
        Assert.Contains("\"paused\":true", await SendAsync(HttpMethod.Get, $"/api/v1/schedules/{name}"), StringComparison.Ordinal);
        await page.ClickAsync("button[value=resume]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Resumed.");
        Assert.Contains("\"paused\":false", await SendAsync(HttpMethod.Get, $"/api/v1/schedules/{name}"), StringComparison.Ordinal);

        var viewer = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer", queue));
        await viewer.GotoAsync($"/schedules/{name}");
        await Expect(viewer.Locator("ol.next-fires li")).ToHaveCountAsync(5);
        Assert.Equal(0, await viewer.Locator(".actions button").CountAsync());

        var elsewhere = await fixture.SignedInAsync(await fixture.CreateKeyAsync("admin", Unique("other-")));
        var refused = await elsewhere.GotoAsync($"/schedules/{name}");
        Assert.Equal(404, refused!.Status);
        await elsewhere.GotoAsync("/schedules");
        Assert.Equal(0, await elsewhere.Locator($"tr[data-schedule='{name}']").CountAsync());
    }
}
