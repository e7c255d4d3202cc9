using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The workflow pages in a real browser: definitions with their graph, the run list's filters, a run's graph
/// coloured live by step state (a forEach fan-out included), its actions, who may see and act, and hostile text.</summary>
public sealed class WorkflowPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    /// <summary>a waits for go-a, b (after a) for go-b, fan (after b) runs test.ok per item, done (after fan) is a noop.</summary>
    private async Task<string> RegisterGatedAsync()
    {
        var name = Unique("gated-");
        await RegisterAsync(new
        {
            name,
            description = "<b>gated</b> steps",
            steps = new object[]
            {
                new { id = "a", kind = "waitForEvent", signal = "go-a" },
                new { id = "b", kind = "waitForEvent", signal = "go-b", needs = new[] { "a" } },
                new { id = "fan", kind = "forEach", plugin = "test.ok", items = "${input.items}", args = new { echo = "${item}" }, needs = new[] { "b" } },
                new { id = "done", kind = "noop", needs = new[] { "fan" } },
            },
        });
        return name;
    }

    private async Task RegisterAsync(object definition)
    {
        var response = await fixture.Admin.PostAsJsonAsync("/api/v1/workflows", definition);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<long> StartAsync(string workflow, object input)
    {
        var response = await fixture.Admin.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs", new { input });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("runId").GetInt64();
    }

    private async Task SignalAsync(long run, string signal)
    {
        var response = await fixture.Admin.PostAsJsonAsync($"/api/v1/runs/{run}/signal", new { signal });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> RunStateAsync(long run)
    {
        var response = await fixture.Admin.GetAsync($"/api/v1/runs/{run}");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("state").GetString()! + (doc.RootElement.GetProperty("paused").GetBoolean() ? "+paused" : "");
    }

    private static ILocator Node(IPage page, string step) => page.Locator($"#run-detail svg.dag g[data-step='{step}']");

    private static async Task ExpectStateAsync(IPage page, string step, string state)
    {
        try
        {
            await Expect(Node(page, step)).ToHaveAttributeAsync("data-state", state, new() { Timeout = 30_000 });
        }
        catch (PlaywrightException ex)
        {
            throw new InvalidOperationException($"Step {step} did not become {state}; the page says: {await page.InnerTextAsync("main")}", ex);
        }
    }

    [Fact]
    public async Task RunGraph_TurnsGreen_StepByStep_Live()
    {
        var workflow = await RegisterGatedAsync();
        var run = await StartAsync(workflow, new { items = new[] { "x", "y", "z" } });
        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/runs/{run}");
        await ExpectStateAsync(page, "a", "waiting");
        await ExpectStateAsync(page, "b", "pending");
        await ExpectStateAsync(page, "fan", "pending");
        var navigations = 0;
        page.FrameNavigated += (_, frame) => { if (frame == page.MainFrame) navigations++; };

        await SignalAsync(run, "go-a");
        await ExpectStateAsync(page, "a", "succeeded");
        await ExpectStateAsync(page, "b", "waiting");
        await ExpectStateAsync(page, "done", "pending");

        await SignalAsync(run, "go-b");
        await ExpectStateAsync(page, "b", "succeeded");
        await ExpectStateAsync(page, "fan", "succeeded");
        await ExpectStateAsync(page, "done", "succeeded");

        // The fan-out is drawn with its items, the waterfall has a bar per released step, and nothing reloaded the page.
        await Expect(Node(page, "fan")).ToContainTextAsync("3/3 items");
        await Expect(page.Locator("#run-detail dl.facts .state")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator("#run-detail .waterfall rect.bar")).ToHaveCountAsync(4);
        Assert.Equal(0, navigations);
        Assert.Equal("live", await page.Locator("body").GetAttributeAsync("data-live-state"));

        await page.ClickAsync("#run-detail table.steps a:has-text('3/3 items')");
        await Expect(page.Locator("#run-detail table.items tr[data-item]")).ToHaveCountAsync(3);
        await Expect(page.Locator("#run-detail table.items")).ToContainTextAsync("\"y\"");
    }

    [Fact]
    public async Task Definitions_ShowTheirGraph_AndRunsFilterByWorkflowAndState()
    {
        var workflow = await RegisterGatedAsync();
        var waiting = await StartAsync(workflow, new { items = Array.Empty<string>() });
        var cancelled = await StartAsync(workflow, new { items = Array.Empty<string>() });
        (await fixture.Admin.PostAsync($"/api/v1/runs/{cancelled}/cancel", null)).EnsureSuccessStatusCode();
        var page = await fixture.SignedInAsync();

        await page.GotoAsync("/workflows");
        var section = page.Locator($"section[data-workflow='{workflow}']");
        await Expect(section.Locator("svg.dag g.node")).ToHaveCountAsync(4);
        await Expect(section.Locator("svg.dag path.edge")).ToHaveCountAsync(3);
        await Expect(section.Locator("p")).ToHaveTextAsync("<b>gated</b> steps"); // text, not markup
        Assert.Equal(0, await section.Locator("p b").CountAsync());

        await page.GotoAsync($"/runs?workflow={workflow}");
        Assert.Equal([cancelled, waiting], await RunIdsAsync(page));
        await page.GotoAsync($"/runs?workflow={workflow}&state=cancelled");
        Assert.Equal([cancelled], await RunIdsAsync(page));
        await page.GotoAsync($"/runs?workflow={workflow}&before={cancelled}");
        Assert.Equal([waiting], await RunIdsAsync(page));

        var bad = await page.GotoAsync("/runs?state=sleepy&before=x");
        Assert.Equal(400, bad!.Status);
        await Expect(page.Locator("main .error")).ToContainTextAsync("state: 'sleepy' is not a run state");
        await Expect(page.Locator("main .error")).ToContainTextAsync("before:");
    }

    [Fact]
    public async Task Operator_PausesResumesAndCancels_AViewerCannot_AndAQueueLimitedKeyIsRefused()
    {
        var workflow = await RegisterGatedAsync();
        var run = await StartAsync(workflow, new { items = Array.Empty<string>() });

        var viewer = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));
        await viewer.GotoAsync($"/runs/{run}");
        await ExpectStateAsync(viewer, "a", "waiting");
        Assert.Equal(0, await viewer.Locator(".actions button").CountAsync());
        var token = await viewer.Locator("header form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var forged = await viewer.APIRequest.PostAsync($"/runs/{run}", new APIRequestContextOptions { Form = FormOf(viewer, ("_handler", "run-cancel"), ("__RequestVerificationToken", token!)) });
        Assert.True(forged.Status is 400 or 403, $"status {forged.Status}");
        Assert.Equal("running", await RunStateAsync(run));

        var limited = await fixture.SignedInAsync(await fixture.CreateKeyAsync("admin", "some-queue"));
        var refused = await limited.GotoAsync($"/runs/{run}");
        Assert.Equal(403, refused!.Status);
        await Expect(limited.Locator("main .error")).ToContainTextAsync("limited to queues");
        Assert.Equal(0, await limited.Locator("svg.dag").CountAsync());
        await Expect(limited.Locator("header nav")).Not.ToContainTextAsync("Workflows");

        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));
        await page.GotoAsync($"/runs/{run}");
        var noToken = await page.APIRequest.PostAsync($"/runs/{run}", new APIRequestContextOptions { Form = FormOf(page, ("_handler", "run-pause")) });
        Assert.Equal(400, noToken.Status);
        Assert.Equal("running", await RunStateAsync(run));

        await page.ClickAsync("button[value=pause]");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Paused");
        Assert.Equal("running+paused", await RunStateAsync(run));
        await page.ClickAsync("button[value=resume]");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Resumed.");
        Assert.Equal("running", await RunStateAsync(run));
        await page.ClickAsync("button[value=cancel]");
        await Expect(page.Locator(".notice")).ToContainTextAsync("Cancelled");
        Assert.Equal("cancelled", await RunStateAsync(run));
        await Expect(page.Locator("button[value=retry]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task HostileStepErrorsAndOutputs_AreShownAsText()
    {
        var name = Unique("xss-");
        const string Script = "<script>window.__xss=1</script>";
        const string Img = "<img src=x onerror=\"window.__xss=2\">";
        await RegisterAsync(new
        {
            name,
            steps = new object[]
            {
                new { id = "echo", plugin = "test.ok", args = new { echo = Img } },
                new { id = "boom", kind = "fail", message = Script, needs = new[] { "echo" } },
            },
        });
        var run = await StartAsync(name, new { note = Script });
        await Nexus.Testing.Eventually.UntilAsync(() => RunStateAsync(run), s => s == "failed", because: $"run {run} to fail");

        var page = await fixture.SignedInAsync();
        await page.GotoAsync($"/runs/{run}");
        await Expect(page.Locator("#step-boom .error-message")).ToHaveTextAsync(Script);
        await Expect(page.Locator("#step-echo pre.json")).ToContainTextAsync("onerror");
        await Expect(page.Locator("#run-detail")).ToContainTextAsync("window.__xss=1");
        Assert.Equal(0, await page.Locator("main script, main img").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("window.__xss ?? null"));
        await Expect(page.Locator("button[value=retry]")).ToHaveCountAsync(1);
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }

    private static async Task<List<long>> RunIdsAsync(IPage page) =>
        [.. (await page.Locator("#run-list tr[data-run]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.run)")).Select(long.Parse)];
}
