using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Nexus.Server.Hosting;
using Nexus.Server.Tests.Infrastructure;

namespace Nexus.Dashboard.Tests.Infrastructure;

/// <summary>A real Nexus server (SQLite, loopback port, the test plugins) and one headless Chromium for a test class.
/// Each test opens its own browser context (its own cookies). Tests plant data through the real HTTP API.</summary>
public class DashboardFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public ServerHost Server { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Extra server settings (development mode, say).</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        Server = await ServerHost.StartAsync(StoreKind.Sqlite, Settings, new ServerHooks
        {
            Nexus = n => n.AddPlugin<FailPlugin>().AddPlugin<OkPlugin>(),
        });
        Admin = Server.Admin();
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Admin?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    public string Url(string path) => new Uri(Server.Address, path).ToString();

    /// <summary>A fresh browser context (no cookies) with a page on it.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Server.Address.ToString() });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A page signed in through the login form with <paramref name="key"/> (the bootstrap admin key by default).</summary>
    public async Task<IPage> SignedInAsync(string? key = null)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#apiKey", key ?? ServerHost.BootstrapKey);
        await page.ClickAsync("button[type=submit]");
        try
        {
            // Wait for the signed-in layout itself, not for the browser's "load" event: CI once (2026-12-02) saw the
            // signed-in Overview fully rendered while "load" had not fired after 30 s, which is not what a sign-in
            // test is about. The next page's assertions wait on their own elements.
            await page.UntilUrlAsync(url => !url.Contains("/login", StringComparison.Ordinal));
            await page.Locator("header .who .user").WaitForAsync();
        }
        catch (TimeoutException ex)
        {
            throw new InvalidOperationException($"Sign-in stayed on {page.Url}; the page says: {await page.InnerTextAsync("body")}", ex);
        }
        return page;
    }

    /// <summary>Creates an API key through the API and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(string role, params string[] queues)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/keys", new { name = $"{role}-{Guid.NewGuid():N}"[..20], role, queues });
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("key").GetString()!;
    }

    public async Task<long> SubmitAsync(string plugin, object args, string queue = "default", IReadOnlyList<string>? tags = null, DateTimeOffset? runAt = null)
    {
        var response = await Admin.PostAsJsonAsync("/api/v1/tasks", new { plugin, args, queue, tags = tags ?? [], runAt, maxAttempts = 1 });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>The task's state through the API, or null when it does not exist.</summary>
    public async Task<string?> StateAsync(long id)
    {
        var response = await Admin.GetAsync($"/api/v1/tasks/{id}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("state").GetString();
    }

    public Task<string?> WaitForStateAsync(long id, string state) =>
        Nexus.Testing.Eventually.UntilAsync(() => StateAsync(id), s => s == state, because: $"task {id} to be {state}");

    public async Task PauseAsync(string queue) => (await Admin.PostAsync($"/api/v1/queues/{queue}/pause", null)).EnsureSuccessStatusCode();

    public async Task<JsonElement> QueueAsync(string queue)
    {
        var response = await Admin.GetAsync($"/api/v1/queues/{queue}");
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}

/// <summary>As <see cref="DashboardFixture"/>, in development mode (anonymous requests from this machine are admin).</summary>
public sealed class DevelopmentDashboardFixture : DashboardFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Nexus:Auth:AnonymousLoopback"] = "true" };
}
