using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nexus.Dashboard.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Dashboard.Tests;

/// <summary>The Nodes and services page's Services section: the registry's instances with their health and flap damping
/// counters, live; a Manage caller deregisters an instance (the REST list agrees); viewers get no button and their post,
/// or a post without the anti-forgery token, is refused; callers limited to queues see none (as GET /api/v1/services
/// refuses them); user-supplied metadata is shown as text.</summary>
public sealed class ServicePageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string Payload = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">";

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task RegisterAsync(string name, string id, object? metadata = null, int passesToHealthy = 2)
    {
        var response = await fixture.Admin.PutAsJsonAsync($"/api/v1/services/{name}/instances/{id}", new
        {
            baseUrl = $"http://127.0.0.1:9/{id}",
            version = "1.2.3",
            capabilities = new[] { "resize", "crop" },
            metadata = metadata ?? new { zone = "eu-1" },
            check = "ttl",
            ttl = "1h",
            passesToHealthy,
        });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task HeartbeatAsync(string name, string id) =>
        (await fixture.Admin.PostAsync($"/api/v1/services/{name}/instances/{id}/heartbeat", null)).EnsureSuccessStatusCode();

    /// <summary>The instance ids the REST list has for <paramref name="name"/>.</summary>
    private async Task<List<string>> RestIdsAsync(string name)
    {
        var response = await fixture.Admin.GetAsync($"/api/v1/services/{name}");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.GetProperty("instances").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];
    }

    private static ILocator Row(IPage page, string name, string id) => page.Locator($"#services tr[data-service='{name}'][data-instance='{id}']");

    [Fact]
    public async Task Services_AreListedWithHealthAndDamping_LiveRefreshed_AndMetadataIsShownAsText()
    {
        var name = Unique("svc-");
        await RegisterAsync(name, "a", new Dictionary<string, string> { ["note"] = Payload }, passesToHealthy: 1);
        await HeartbeatAsync(name, "a");
        await RegisterAsync(name, "b");
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));

        await page.GotoAsync("/nodes");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Nodes and services");
        var healthy = Row(page, name, "a");
        await Expect(healthy.Locator(".health")).ToHaveTextAsync("healthy");
        await Expect(healthy.Locator(".check")).ToHaveTextAsync("ttl 1 h");
        await Expect(healthy.Locator(".damping")).ToHaveTextAsync("passes 1/1 · failures 0/3");
        await Expect(healthy).ToContainTextAsync("http://127.0.0.1:9/a");
        await Expect(healthy).ToContainTextAsync("resize, crop");
        await Expect(healthy).ToContainTextAsync("1.2.3");
        await Expect(Row(page, name, "b").Locator(".health")).ToHaveTextAsync("starting");
        await Expect(Row(page, name, "b").Locator(".damping")).ToHaveTextAsync("passes 0/2 · failures 0/3");

        // The payload is text: shown literally, no element made of it, no script run.
        await Expect(healthy.Locator(".metadata")).ToContainTextAsync(Payload);
        Assert.Equal(0, await page.Locator("#services img, #services script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));

        // Live: an instance registered after the page loaded appears without a reload, and a heartbeat moves its counters.
        await RegisterAsync(name, "c");
        await Expect(Row(page, name, "c")).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await HeartbeatAsync(name, "c");
        await Expect(Row(page, name, "c").Locator(".damping")).ToHaveTextAsync("passes 1/2 · failures 0/3", new() { Timeout = 20_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));
    }

    [Fact]
    public async Task Operator_Deregisters_AndTheRestListAgrees()
    {
        var name = Unique("svc-");
        await RegisterAsync(name, "a");
        await RegisterAsync(name, "b");
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("operator"));
        await page.GotoAsync("/nodes");

        await Row(page, name, "a").Locator("button", new() { HasTextString = "Deregister" }).ClickAsync();

        await Expect(page.Locator(".notice")).ToHaveTextAsync("Deregistered.");
        await Expect(Row(page, name, "a")).ToHaveCountAsync(0);
        await Expect(Row(page, name, "b")).ToHaveCountAsync(1);
        Assert.Equal(["b"], await RestIdsAsync(name));
    }

    [Fact]
    public async Task Post_WithoutTheAntiforgeryToken_IsRefused_AndWithItGoesThrough()
    {
        var name = Unique("svc-");
        await RegisterAsync(name, "a");
        var page = await fixture.SignedInAsync();
        await page.GotoAsync("/nodes");

        var forged = await page.APIRequest.PostAsync("/nodes", new() { Form = FormOf(page, ("_handler", "deregister"), ("instance", $"{name}/a")), MaxRedirects = 0 });

        Assert.Equal(400, forged.Status);
        Assert.Equal(["a"], await RestIdsAsync(name));
        var token = await page.Locator("form#deregister input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var accepted = await page.APIRequest.PostAsync("/nodes", new()
        {
            Form = FormOf(page, ("_handler", "deregister"), ("instance", $"{name}/a"), ("__RequestVerificationToken", token!)),
            MaxRedirects = 0,
        });
        Assert.Equal(302, accepted.Status);
        Assert.Empty(await RestIdsAsync(name));
    }

    [Fact]
    public async Task Viewer_SeesNoButton_AndItsPostIsRefused()
    {
        var name = Unique("svc-");
        await RegisterAsync(name, "a");
        var page = await fixture.SignedInAsync(await fixture.CreateKeyAsync("viewer"));
        await page.GotoAsync("/nodes");

        await Expect(Row(page, name, "a")).ToHaveCountAsync(1);
        Assert.Equal(0, await page.Locator("#services button").CountAsync());
        Assert.Equal(0, await page.Locator("form#deregister").CountAsync());
        // The viewer's own valid token (from the sign-out form) on the deregister post it was never offered.
        var token = await page.Locator("header form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var response = await page.APIRequest.PostAsync("/nodes", new()
        {
            Form = FormOf(page, ("_handler", "deregister"), ("instance", $"{name}/a"), ("__RequestVerificationToken", token!)),
            MaxRedirects = 0,
        });

        Assert.True(response.Status is 400 or 403, $"status {response.Status}");
        Assert.Equal(["a"], await RestIdsAsync(name));
    }

    [Fact]
    public async Task QueueLimitedKey_SeesNoServices_AndCannotDeregister()
    {
        var name = Unique("svc-");
        await RegisterAsync(name, "a");
        var key = await fixture.CreateKeyAsync("operator", "some-queue");
        var page = await fixture.SignedInAsync(key);
        await page.GotoAsync("/nodes");

        await Expect(page.Locator("#services-hidden")).ToContainTextAsync("belong to no queue");
        Assert.Equal(0, await page.Locator("#services").CountAsync());
        await Expect(page.Locator("main")).Not.ToContainTextAsync(name);
        // The REST list refuses the same key.
        using var api = fixture.Server.Client(key);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/services")).StatusCode);
        var token = await page.Locator("header form input[name=__RequestVerificationToken]").GetAttributeAsync("value");
        var response = await page.APIRequest.PostAsync("/nodes", new()
        {
            Form = FormOf(page, ("_handler", "deregister"), ("instance", $"{name}/a"), ("__RequestVerificationToken", token!)),
            MaxRedirects = 0,
        });
        Assert.True(response.Status is 400 or 403, $"status {response.Status}");
        Assert.Equal(["a"], await RestIdsAsync(name));
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.APIRequest.CreateFormData();
        foreach (var (field, value) in fields) form.Set(field, value);
        return form;
    }
}
